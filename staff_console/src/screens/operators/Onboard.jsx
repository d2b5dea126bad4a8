// Onboarding a new organisation: name, slug (its schema), primary domain, default language, time
// zone, features and the first administrator's email. The API does it in one request; then the
// progress page follows the remaining steps (routing, the invitation email) until the portal answers.
import {
    BooleanInput,
    SaveButton,
    SelectInput,
    SimpleForm,
    TextInput,
    Title,
    Toolbar,
    email,
    required,
    useDataProvider,
    useNotify,
    useTranslate,
} from 'react-admin';
import { useNavigate } from 'react-router-dom';
import { Box, Card, CardContent, Typography } from '@mui/material';
import { FEATURES, LANGUAGES, PLATFORM_API, fieldErrors } from './choices.js';

const DEFAULTS = {
    name: '',
    slug: '',
    domain: '',
    admin_email: '',
    default_language: 'nl',
    time_zone: 'Europe/Brussels',
    features: Object.fromEntries(FEATURES.map((feature) => [feature.key, feature.default])),
};

export default function Onboard() {
    const translate = useTranslate();
    const notify = useNotify();
    const navigate = useNavigate();
    const dataProvider = useDataProvider();

    const submit = async (values) => {
        let json;
        try {
            ({ json } = await dataProvider.fetchJson(`${PLATFORM_API}organisations/`, {
                method: 'POST',
                body: values,
            }));
        } catch (error) {
            const errors = fieldErrors(error);
            if (errors) return errors;
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
        const { organisation, schema_method: method, seconds } = json;
        navigate(`/organisations/${encodeURIComponent(organisation.slug)}/progress`, {
            state: { name: organisation.name, method, seconds },
        });
        return undefined;
    };

    return (
        <Card sx={{ mt: 2, maxWidth: 760 }}>
            <Title title="operators.onboard.title" />
            <CardContent>
                <Typography component="h1" variant="h5">
                    {translate('operators.onboard.title')}
                </Typography>
                <SimpleForm
                    record={DEFAULTS}
                    onSubmit={submit}
                    resource="organisations"
                    toolbar={
                        <Toolbar>
                            <SaveButton label="operators.onboard.button" alwaysEnable />
                        </Toolbar>
                    }
                >
                    <TextInput source="name" validate={required()} fullWidth />
                    <TextInput source="slug" validate={required()} helperText="operators.onboard.slug_help" fullWidth />
                    <TextInput source="domain" validate={required()} helperText="operators.onboard.domain_help" fullWidth />
                    <TextInput
                        source="admin_email"
                        type="email"
                        validate={[required(), email()]}
                        helperText="operators.onboard.admin_help"
                        fullWidth
                    />
                    <SelectInput source="default_language" choices={LANGUAGES} validate={required()} />
                    <TextInput source="time_zone" validate={required()} />
                    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
                        <Typography component="legend" variant="subtitle1">
                            {translate('operators.features.title')}
                        </Typography>
                        {FEATURES.map((feature) => (
                            <BooleanInput
                                key={feature.key}
                                source={`features.${feature.key}`}
                                label={`operators.features.${feature.key}`}
                                helperText={false}
                            />
                        ))}
                    </Box>
                </SimpleForm>
            </CardContent>
        </Card>
    );
}
