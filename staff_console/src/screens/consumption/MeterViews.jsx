// Meters: the list (search, service and active filters, ordering) and one meter with its
// completeness over a period (the API's data gaps) and its register and interval readings, paged.
import { useEffect, useState } from 'react';
import {
    BooleanField,
    Datagrid,
    DateField,
    FunctionField,
    List,
    NullableBooleanInput,
    SearchInput,
    SelectInput,
    Show,
    SimpleList,
    SimpleShowLayout,
    TextField,
    useDataProvider,
    useRecordContext,
    useTranslate,
} from 'react-admin';
import { Alert, Box, Chip, Stack, TextField as MuiTextField, Typography, useMediaQuery } from '@mui/material';
import { ADMIN_API, PagedTable, isoDay, pageOf } from './parts.jsx';

export const SERVICES = ['heating', 'hot_tap_water', 'cooling', 'electricity', 'gas', 'water'].map((id) => ({
    id,
    name: `consumption.service.${id}`,
}));

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput key="service__code" source="service__code" choices={SERVICES} alwaysOn />,
    <NullableBooleanInput key="active" source="active" alwaysOn />,
];

function ServiceField(props) {
    const translate = useTranslate();
    return <FunctionField {...props} render={(record) => translate(`consumption.service.${record.service}`, { _: record.service })} />;
}

export function MeterList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters} sort={{ field: 'number', order: 'ASC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => record.number}
                    secondaryText={(record) => record.location_address}
                    tertiaryText={(record) => translate(`consumption.service.${record.service}`, { _: record.service })}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <TextField source="number" />
                    <TextField source="external_id" />
                    <TextField source="location_address" sortable={false} />
                    <ServiceField source="service" sortable={false} />
                    <BooleanField source="active" sortable={false} />
                    <DateField source="installed_on" />
                    <DateField source="removed_on" />
                </Datagrid>
            )}
        </List>
    );
}

function daysBetween(first, last) {
    return Math.round((Date.parse(last) - Date.parse(first)) / 86400000) + 1;
}

/** The meter's completeness in the period: the days without complete actual data, if any. */
function Completeness({ meterId, start, end }) {
    const dataProvider = useDataProvider();
    const translate = useTranslate();
    const [state, setState] = useState({ loading: true });
    useEffect(() => {
        let live = true;
        setState({ loading: true });
        const query = new URLSearchParams({ start, end, meter: String(meterId) });
        dataProvider
            .fetchJson(`${ADMIN_API}consumption/gaps/?${query}`)
            .then(({ json }) => live && setState({ row: pageOf(json).results[0] || null }))
            .catch((error) => live && setState({ error: error?.message || 'ra.notification.http_error' }));
        return () => {
            live = false;
        };
    }, [dataProvider, meterId, start, end]);
    if (state.loading) return <Typography variant="body2">{translate('ra.page.loading')}</Typography>;
    if (state.error) return <Alert severity="error">{translate(state.error, { _: state.error })}</Alert>;
    if (!state.row) {
        return (
            <Alert severity="success" data-testid="completeness">
                {translate('consumption.complete', { start, end })}
            </Alert>
        );
    }
    const { row } = state;
    const total = daysBetween(row.counted_from, row.counted_to);
    const percentage = Math.round(((total - row.incomplete_day_count) / total) * 100);
    return (
        <Box data-testid="completeness">
            <Alert severity="warning">
                {translate('consumption.incomplete', {
                    count: row.incomplete_day_count,
                    total,
                    percentage,
                    start: row.counted_from,
                    end: row.counted_to,
                })}
            </Alert>
            <Typography variant="subtitle2" component="h3" sx={{ mt: 1 }}>
                {translate('consumption.incomplete_days')}
            </Typography>
            <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 0.5, mt: 0.5 }}>
                {row.incomplete_days.slice(0, 62).map((day) => (
                    <Chip key={day} size="small" label={day} />
                ))}
                {row.incomplete_days.length > 62 && <Chip size="small" label={`+${row.incomplete_days.length - 62}`} />}
            </Stack>
        </Box>
    );
}

function MeterData() {
    const record = useRecordContext();
    const translate = useTranslate();
    const yesterday = new Date(Date.now() - 86400000);
    const [start, setStart] = useState(isoDay(new Date(yesterday.getTime() - 29 * 86400000)));
    const [end, setEnd] = useState(isoDay(yesterday));
    if (!record) return null;
    const valid = start && end && start <= end;
    const base = `${ADMIN_API}consumption/meters/${record.id}`;
    return (
        <Box>
            <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
                {translate('consumption.period')}
            </Typography>
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ my: 1 }}>
                <MuiTextField
                    id="period-start"
                    type="date"
                    label={translate('consumption.from')}
                    value={start}
                    onChange={(event) => setStart(event.target.value)}
                    InputLabelProps={{ shrink: true }}
                    size="small"
                />
                <MuiTextField
                    id="period-end"
                    type="date"
                    label={translate('consumption.to')}
                    value={end}
                    onChange={(event) => setEnd(event.target.value)}
                    error={!valid}
                    helperText={valid ? ' ' : translate('consumption.end_before_start')}
                    InputLabelProps={{ shrink: true }}
                    size="small"
                />
            </Stack>
            {valid && (
                <>
                    <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
                        {translate('consumption.completeness')}
                    </Typography>
                    <Completeness meterId={record.id} start={start} end={end} />
                    <Typography variant="h6" component="h2" sx={{ mt: 3 }}>
                        {translate('consumption.registers')}
                    </Typography>
                    <PagedTable
                        url={`${base}/registers/`}
                        query={{ start, end }}
                        label="consumption.registers"
                        columns={[
                            { key: 'taken_at', label: 'consumption.taken_at', render: (row) => new Date(row.taken_at).toLocaleString() },
                            { key: 'value', label: 'consumption.value', render: (row) => `${row.value} ${record.unit || ''}` },
                            { key: 'source', label: 'consumption.source', render: (row) => translate(`consumption.sources.${row.source}`, { _: row.source }) },
                        ]}
                    />
                    <Typography variant="h6" component="h2" sx={{ mt: 3 }}>
                        {translate('consumption.intervals')}
                    </Typography>
                    <PagedTable
                        url={`${base}/readings/`}
                        query={{ start, end }}
                        label="consumption.intervals"
                        columns={[
                            { key: 'start', label: 'consumption.start', render: (row) => new Date(row.start).toLocaleString() },
                            { key: 'value', label: 'consumption.value', render: (row) => `${row.value} ${record.unit || ''}` },
                            { key: 'source', label: 'consumption.source', render: (row) => translate(`consumption.sources.${row.source}`, { _: row.source }) },
                        ]}
                    />
                </>
            )}
        </Box>
    );
}

export function MeterShow() {
    return (
        <Show>
            <SimpleShowLayout>
                <TextField source="number" />
                <TextField source="external_id" />
                <TextField source="location_address" />
                <ServiceField source="service" />
                <TextField source="unit" />
                <TextField source="interval_minutes" />
                <BooleanField source="active" />
                <DateField source="installed_on" emptyText="—" />
                <DateField source="removed_on" emptyText="—" />
                <MeterData />
            </SimpleShowLayout>
        </Show>
    );
}
