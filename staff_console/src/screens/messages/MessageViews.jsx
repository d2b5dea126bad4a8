// Page messages: the list (filter by page), and one form for adding and changing a message — page,
// type, the text per language in the allowed rich text with the server-rendered preview beside it,
// visible from/until, position. Warnings the API answers on save (colours shown in another shade)
// are notified; errors appear beside their fields (the data provider maps them).
import { useState } from 'react';
import {
    Create,
    Datagrid,
    DateField,
    DateTimeInput,
    Edit,
    FunctionField,
    List,
    NumberField,
    NumberInput,
    RadioButtonGroupInput,
    SearchInput,
    SelectField,
    SelectInput,
    SimpleForm,
    SimpleList,
    required,
    useNotify,
    useRedirect,
    useTranslate,
} from 'react-admin';
import { useWatch } from 'react-hook-form';
import { Box, Tab, Tabs, useMediaQuery } from '@mui/material';
import AllowedRichTextInput from './RichText.jsx';
import MessagePreview from './Preview.jsx';
import usePages from './usePages.js';
import { RESOURCE, plainText } from './helpers.js';

export { RESOURCE };

export const KINDS = [
    { id: 'neutral', name: 'page_messages.kind.neutral' },
    { id: 'warning', name: 'page_messages.kind.warning' },
    { id: 'important', name: 'page_messages.kind.important' },
];
export const LANGUAGES = [
    { id: 'en', name: 'English' },
    { id: 'nl', name: 'Nederlands' },
    { id: 'fr', name: 'Français' },
];
const WRITABLE = ['page', 'kind', 'bodies', 'visible_from', 'visible_until', 'position'];

function excerpt(record, locale) {
    const bodies = record?.bodies || {};
    const text = plainText(bodies[locale] || Object.values(bodies).find(Boolean));
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function MessageList({ canWrite }) {
    const pages = usePages();
    const translate = useTranslate();
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    const filters = [
        <SearchInput key="q" source="q" alwaysOn />,
        <SelectInput key="page" source="page" choices={pages} translateChoice={false} alwaysOn />,
        <SelectInput key="kind" source="kind" choices={KINDS} alwaysOn />,
    ];
    const pageName = (record) => pages.find((page) => page.id === record.page)?.name || record.page;
    return (
        <List filters={filters} perPage={50} pagination={false} hasCreate={canWrite} exporter={false}>
            {small ? (
                <SimpleList
                    primaryText={(record) => excerpt(record, 'en')}
                    secondaryText={(record) => pageName(record)}
                    tertiaryText={(record) => translate(`page_messages.kind.${record.kind}`)}
                    linkType={canWrite ? 'edit' : false}
                />
            ) : (
                <Datagrid rowClick={canWrite ? 'edit' : false} bulkActionButtons={false}>
                    <FunctionField source="page" sortable={false} render={pageName} />
                    <SelectField source="kind" choices={KINDS} sortable={false} />
                    <FunctionField
                        source="bodies"
                        sortable={false}
                        render={(record) => excerpt(record, translate('page_messages.locale_code'))}
                    />
                    <FunctionField
                        label="page_messages.languages"
                        render={(record) => Object.keys(record.bodies || {}).join(', ').toUpperCase()}
                    />
                    <DateField source="visible_from" showTime sortable={false} emptyText="–" />
                    <DateField source="visible_until" showTime sortable={false} emptyText="–" />
                    <NumberField source="position" sortable={false} />
                </Datagrid>
            )}
        </List>
    );
}

function LanguageBodies() {
    const translate = useTranslate();
    const [tab, setTab] = useState(0);
    const kind = useWatch({ name: 'kind' });
    const bodies = useWatch({ name: 'bodies' }) || {};
    return (
        <Box sx={{ width: '100%' }}>
            <Tabs
                value={tab}
                onChange={(_event, value) => setTab(value)}
                aria-label={translate('page_messages.text_per_language')}
                variant="scrollable"
            >
                {LANGUAGES.map((language, index) => (
                    <Tab
                        key={language.id}
                        id={`message-tab-${language.id}`}
                        aria-controls={`message-panel-${language.id}`}
                        label={language.name}
                        value={index}
                    />
                ))}
            </Tabs>
            {LANGUAGES.map((language, index) => (
                <Box
                    key={language.id}
                    role="tabpanel"
                    id={`message-panel-${language.id}`}
                    aria-labelledby={`message-tab-${language.id}`}
                    hidden={tab !== index}
                    sx={{ pt: 2 }}
                >
                    <AllowedRichTextInput
                        source={`bodies.${language.id}`}
                        label={translate('page_messages.text_in', { language: language.name })}
                    />
                    {tab === index ? (
                        <MessagePreview kind={kind} html={bodies[language.id]} language={language.id} />
                    ) : null}
                </Box>
            ))}
        </Box>
    );
}

function MessageForm() {
    const pages = usePages();
    return (
        <SimpleForm>
            <SelectInput source="page" choices={pages} translateChoice={false} validate={required()} />
            <RadioButtonGroupInput source="kind" choices={KINDS} defaultValue="neutral" row />
            <LanguageBodies />
            <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
                <DateTimeInput source="visible_from" helperText="page_messages.visible_from_help" />
                <DateTimeInput source="visible_until" helperText="page_messages.visible_until_help" />
                <NumberInput source="position" min={0} step={1} defaultValue={0} />
            </Box>
        </SimpleForm>
    );
}

function pick(data) {
    const body = Object.fromEntries(WRITABLE.filter((key) => key in data).map((key) => [key, data[key]]));
    for (const key of ['visible_from', 'visible_until']) if (body[key] === '') body[key] = null;
    return body;
}

function useSaved() {
    const notify = useNotify();
    const redirect = useRedirect();
    return (data) => {
        const warnings = (data?.warnings || []).map((warning) => warning.detail);
        if (warnings.length) notify(warnings.join(' '), { type: 'warning', autoHideDuration: 10000 });
        else notify('ra.notification.updated', { messageArgs: { smart_count: 1 } });
        redirect('list', RESOURCE);
    };
}

export function MessageCreate() {
    const onSuccess = useSaved();
    return (
        <Create transform={pick} mutationOptions={{ onSuccess }}>
            <MessageForm />
        </Create>
    );
}

export function MessageEdit() {
    const onSuccess = useSaved();
    return (
        <Edit transform={pick} mutationMode="pessimistic" mutationOptions={{ onSuccess }}>
            <MessageForm />
        </Edit>
    );
}
