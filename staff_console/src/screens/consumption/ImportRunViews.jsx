// Import runs of the billing system (administrators): the list (with/without errors, ordering)
// and one run with what it did per list and every row it refused, with the errors per field.
import { useState } from 'react';
import {
    Button,
    Datagrid,
    DateField,
    FunctionField,
    List,
    NumberField,
    SearchInput,
    SelectInput,
    Show,
    SimpleList,
    SimpleShowLayout,
    TextField,
    useRecordContext,
    useTranslate,
} from 'react-admin';
import { Box, Chip, Table, TableBody, TableCell, TableHead, TableRow, Typography, useMediaQuery } from '@mui/material';

const RUN_COLOURS = { succeeded: 'success', with_errors: 'warning', running: 'info' };

function RunStatus({ status }) {
    const translate = useTranslate();
    const colour = RUN_COLOURS[status];
    return (
        <Chip
            size="small"
            variant="outlined"
            label={translate(`consumption.run_status.${status}`)}
            sx={colour ? { borderColor: `${colour}.main`, borderWidth: 2 } : undefined}
        />
    );
}

const filters = [
    <SearchInput key="q" source="q" alwaysOn />,
    <SelectInput
        key="has_errors"
        source="has_errors"
        choices={[
            { id: 'true', name: 'consumption.with_errors' },
            { id: 'false', name: 'consumption.without_errors' },
        ]}
        alwaysOn
    />,
];

export function ImportRunList() {
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const translate = useTranslate();
    return (
        <List filters={filters} sort={{ field: 'started_at', order: 'DESC' }} perPage={25}>
            {small ? (
                <SimpleList
                    primaryText={(record) => new Date(record.started_at).toLocaleString()}
                    secondaryText={(record) => translate('consumption.errors_count', { smart_count: record.error_count })}
                    tertiaryText={(record) => translate(`consumption.run_status.${record.status}`)}
                    linkType="show"
                />
            ) : (
                <Datagrid rowClick="show" bulkActionButtons={false}>
                    <NumberField source="id" />
                    <DateField source="started_at" showTime />
                    <DateField source="finished_at" showTime />
                    <TextField source="actor_email" sortable={false} />
                    <NumberField source="error_count" />
                    <FunctionField source="status" sortable={false} render={(record) => <RunStatus status={record.status} />} />
                </Datagrid>
            )}
        </List>
    );
}

const COUNTS = ['received', 'created', 'updated', 'unchanged'];

function Summary() {
    const record = useRecordContext();
    const translate = useTranslate();
    const rows = Object.entries(record?.summary || {});
    if (!rows.length) return null;
    return (
        <Box sx={{ overflowX: 'auto' }}>
            <Table size="small" aria-label={translate('consumption.summary')}>
                <TableHead>
                    <TableRow>
                        <TableCell>{translate('consumption.list')}</TableCell>
                        {COUNTS.map((key) => (
                            <TableCell key={key} align="right">
                                {translate(`consumption.counts.${key}`)}
                            </TableCell>
                        ))}
                    </TableRow>
                </TableHead>
                <TableBody>
                    {rows.map(([entity, counts]) => (
                        <TableRow key={entity}>
                            <TableCell>{translate(`consumption.entities.${entity}`, { _: entity })}</TableCell>
                            {COUNTS.map((key) => (
                                <TableCell key={key} align="right">
                                    {counts?.[key] ?? 0}
                                </TableCell>
                            ))}
                        </TableRow>
                    ))}
                </TableBody>
            </Table>
        </Box>
    );
}

const ERRORS_PER_PAGE = 50;

function RowErrors() {
    const record = useRecordContext();
    const translate = useTranslate();
    const [page, setPage] = useState(0);
    const errors = record?.errors || [];
    if (!record) return null;
    if (!errors.length) return <Typography variant="body2">{translate('consumption.no_row_errors')}</Typography>;
    const pages = Math.ceil(errors.length / ERRORS_PER_PAGE);
    const shown = errors.slice(page * ERRORS_PER_PAGE, (page + 1) * ERRORS_PER_PAGE);
    return (
        <Box>
            {record.error_count > errors.length && (
                <Typography variant="body2" sx={{ mb: 1 }}>
                    {translate('consumption.errors_truncated', { shown: errors.length, count: record.error_count })}
                </Typography>
            )}
            <Box sx={{ overflowX: 'auto' }}>
                <Table size="small" aria-label={translate('consumption.row_errors')}>
                    <TableHead>
                        <TableRow>
                            <TableCell>{translate('consumption.list')}</TableCell>
                            <TableCell>{translate('consumption.row')}</TableCell>
                            <TableCell>{translate('consumption.external_id')}</TableCell>
                            <TableCell>{translate('consumption.problems')}</TableCell>
                        </TableRow>
                    </TableHead>
                    <TableBody>
                        {shown.map((row, index) => (
                            <TableRow key={`${row.entity}-${row.index}-${index}`}>
                                <TableCell>{translate(`consumption.entities.${row.entity}`, { _: row.entity })}</TableCell>
                                <TableCell>{row.index}</TableCell>
                                <TableCell>{row.external_id ?? '—'}</TableCell>
                                <TableCell>
                                    {Object.entries(row.errors || {}).map(([field, messages]) => (
                                        <div key={field}>
                                            <strong>{field}</strong>: {[].concat(messages).join(' ')}
                                        </div>
                                    ))}
                                </TableCell>
                            </TableRow>
                        ))}
                    </TableBody>
                </Table>
            </Box>
            {pages > 1 && (
                <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mt: 1 }}>
                    <Button label="ra.navigation.previous" onClick={() => setPage(page - 1)} disabled={page === 0} />
                    <Typography variant="body2" aria-live="polite">
                        {translate('consumption.page_of', { page: page + 1, pages, count: errors.length })}
                    </Typography>
                    <Button label="ra.navigation.next" onClick={() => setPage(page + 1)} disabled={page >= pages - 1} />
                </Box>
            )}
        </Box>
    );
}

function Heading({ text }) {
    const translate = useTranslate();
    return (
        <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
            {translate(text)}
        </Typography>
    );
}

export function ImportRunShow() {
    return (
        <Show>
            <SimpleShowLayout>
                <NumberField source="id" />
                <FunctionField source="status" render={(record) => <RunStatus status={record.status} />} />
                <DateField source="started_at" showTime />
                <DateField source="finished_at" showTime emptyText="—" />
                <TextField source="actor_email" emptyText="—" />
                <NumberField source="error_count" />
                <Box>
                    <Heading text="consumption.summary" />
                    <Summary />
                    <Heading text="consumption.row_errors" />
                    <RowErrors />
                </Box>
            </SimpleShowLayout>
        </Show>
    );
}
