// The FAQ editor: categories (a name per language, a position) and entries (a question and a rich-
// text answer per language, in a category, published or not), ordered by position; an entry moves
// up or down within its category through the API (faq/entries/{id}/move/).
import { useState } from 'react';
import {
    BooleanField,
    BooleanInput,
    Create,
    Datagrid,
    Edit,
    FunctionField,
    List,
    NullableBooleanInput,
    NumberField,
    NumberInput,
    ReferenceField,
    ReferenceInput,
    SelectInput,
    SimpleForm,
    SimpleList,
    TextInput,
    required,
    useLocaleState,
    useTranslate,
} from 'react-admin';
import { Box, Tab, Tabs, useMediaQuery } from '@mui/material';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ActionButton from '../../components/ActionButton.jsx';
import AllowedRichTextInput from '../messages/RichText.jsx';
import { LANGUAGES } from '../messages/MessageViews.jsx';

export const CATEGORIES = 'faq/categories';
export const ENTRIES = 'faq/entries';

export function inLocale(values, locale) {
    const texts = values || {};
    return texts[locale] || texts.en || Object.values(texts).find(Boolean) || '';
}

function useCategoryName() {
    const [locale] = useLocaleState();
    return (record) => inLocale(record?.names, locale);
}

export function CategoryList({ canWrite }) {
    return (
        <List perPage={100} pagination={false} exporter={false} hasCreate={canWrite}>
            <Datagrid rowClick={canWrite ? 'edit' : false} bulkActionButtons={false}>
                {LANGUAGES.map((language) => (
                    <FunctionField
                        key={language.id}
                        label={language.name}
                        render={(record) => record.names?.[language.id] || '–'}
                    />
                ))}
                <NumberField source="position" sortable={false} />
            </Datagrid>
        </List>
    );
}

function CategoryForm() {
    return (
        <SimpleForm>
            {LANGUAGES.map((language) => (
                <TextInput
                    key={language.id}
                    source={`names.${language.id}`}
                    label={language.name}
                    fullWidth
                />
            ))}
            <NumberInput source="position" min={0} step={1} defaultValue={0} />
        </SimpleForm>
    );
}

const pickCategory = (data) => ({ names: data.names || {}, position: data.position ?? 0 });

export const CategoryCreate = () => (
    <Create transform={pickCategory} redirect="list">
        <CategoryForm />
    </Create>
);

export const CategoryEdit = () => (
    <Edit transform={pickCategory} mutationMode="pessimistic" redirect="list">
        <CategoryForm />
    </Edit>
);

function entryFilters(categoryName) {
    return [
        <ReferenceInput key="category" source="category" reference={CATEGORIES} alwaysOn>
            <SelectInput optionText={categoryName} />
        </ReferenceInput>,
        <NullableBooleanInput key="published" source="published" alwaysOn />,
    ];
}

function MoveButtons() {
    return (
        <Box sx={{ display: 'flex' }} onClick={(event) => event.stopPropagation()}>
            <ActionButton action="move" body={{ direction: 'up' }} label="help.faq.move_up" icon={<ArrowUpwardIcon />} />
            <ActionButton
                action="move"
                body={{ direction: 'down' }}
                label="help.faq.move_down"
                icon={<ArrowDownwardIcon />}
            />
        </Box>
    );
}

export function EntryList({ canWrite }) {
    const [locale] = useLocaleState();
    const categoryName = useCategoryName();
    const small = useMediaQuery((theme) => theme.breakpoints.down('sm'));
    return (
        <List
            filters={entryFilters(categoryName)}
            sort={{ field: 'position', order: 'ASC' }}
            perPage={100}
            pagination={false}
            exporter={false}
            hasCreate={canWrite}
        >
            {small ? (
                <SimpleList primaryText={(record) => inLocale(record.questions, locale)} linkType={canWrite ? 'edit' : false} />
            ) : (
                <Datagrid rowClick={canWrite ? 'edit' : false} bulkActionButtons={false}>
                    <FunctionField source="questions" sortable={false} render={(record) => inLocale(record.questions, locale)} />
                    <ReferenceField source="category" reference={CATEGORIES} sortable={false} link={false}>
                        <FunctionField render={categoryName} />
                    </ReferenceField>
                    <FunctionField
                        label="help.faq.languages"
                        render={(record) => Object.keys(record.questions || {}).join(', ').toUpperCase()}
                    />
                    <NumberField source="position" />
                    <BooleanField source="published" sortable={false} />
                    {canWrite ? <MoveButtons /> : null}
                </Datagrid>
            )}
        </List>
    );
}

function EntryLanguages() {
    const translate = useTranslate();
    const [tab, setTab] = useState(0);
    return (
        <Box sx={{ width: '100%' }}>
            <Tabs value={tab} onChange={(_e, value) => setTab(value)} aria-label={translate('help.faq.per_language')}>
                {LANGUAGES.map((language, index) => (
                    <Tab
                        key={language.id}
                        id={`faq-tab-${language.id}`}
                        aria-controls={`faq-panel-${language.id}`}
                        label={language.name}
                        value={index}
                    />
                ))}
            </Tabs>
            {LANGUAGES.map((language, index) => (
                <Box
                    key={language.id}
                    role="tabpanel"
                    id={`faq-panel-${language.id}`}
                    aria-labelledby={`faq-tab-${language.id}`}
                    hidden={tab !== index}
                    sx={{ pt: 2 }}
                >
                    <TextInput
                        source={`questions.${language.id}`}
                        label={translate('help.faq.question_in', { language: language.name })}
                        fullWidth
                    />
                    <AllowedRichTextInput
                        source={`answers.${language.id}`}
                        label={translate('help.faq.answer_in', { language: language.name })}
                    />
                </Box>
            ))}
        </Box>
    );
}

function EntryForm() {
    const categoryName = useCategoryName();
    return (
        <SimpleForm>
            <ReferenceInput source="category" reference={CATEGORIES}>
                <SelectInput optionText={categoryName} validate={required()} />
            </ReferenceInput>
            <EntryLanguages />
            <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', alignItems: 'center' }}>
                <NumberInput source="position" min={0} step={1} defaultValue={0} />
                <BooleanInput source="published" defaultValue />
            </Box>
        </SimpleForm>
    );
}

const pickEntry = (data) => ({
    category: data.category,
    questions: data.questions || {},
    answers: data.answers || {},
    position: data.position ?? 0,
    published: data.published ?? true,
});

export const EntryCreate = () => (
    <Create transform={pickEntry} redirect="list">
        <EntryForm />
    </Create>
);

export const EntryEdit = () => (
    <Edit transform={pickEntry} mutationMode="pessimistic" redirect="list">
        <EntryForm />
    </Edit>
);
