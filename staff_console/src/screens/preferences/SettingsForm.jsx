// What every preferences tab shows alike: the spinner while its configuration loads, the failure
// as an alert, titled sections, and the form with one Save (always enabled: the API says what is
// wrong) at 720 px.
import { Loading, SaveButton, SimpleForm, Toolbar, useTranslate } from 'react-admin';
import { Box, Typography } from '@mui/material';

/** For a useConfiguration/useLoaded state: the spinner or the load's failure, else null. */
export function pendingView(state) {
    if (!state) return <Loading />;
    if (state.error) return <Typography role="alert">{state.error.message}</Typography>;
    return null;
}

/** A titled part of a tab (an h2), with an optional introduction; `title`, `intro`: message keys. */
export function Section({ title, intro, children }) {
    const translate = useTranslate();
    return (
        <Box component="section" sx={{ width: '100%', mb: 2 }}>
            <Typography variant="h6" component="h2" sx={{ mt: 1, mb: 1 }}>
                {translate(title)}
            </Typography>
            {intro ? (
                <Typography variant="body2" sx={{ mb: 1 }}>
                    {translate(intro)}
                </Typography>
            ) : null}
            {children}
        </Box>
    );
}

/** react-admin's SimpleForm with the tabs' toolbar and width; `record` and `onSubmit` as usual. */
export default function SettingsForm({ children, ...props }) {
    return (
        <SimpleForm
            toolbar={
                <Toolbar>
                    <SaveButton alwaysEnable />
                </Toolbar>
            }
            sx={{ maxWidth: 720 }}
            {...props}
        >
            {children}
        </SimpleForm>
    );
}
