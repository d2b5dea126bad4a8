// The console's login: the organisation's logo and name, email and password, refusal messages
// from the API or "This console is for the organisation's staff".
import { useState } from 'react';
import { useLogin, useNotify, useTranslate, LocalesMenuButton } from 'react-admin';
import { Box, Button, Card, CardContent, TextField, Typography, Alert } from '@mui/material';
import { useConsole } from './ConsoleContext.jsx';
import { NOT_ALLOWED } from '../authProvider.js';

export default function LoginPage() {
    const { bootstrap } = useConsole();
    const login = useLogin();
    const notify = useNotify();
    const translate = useTranslate();
    const [email, setEmail] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    const platform = bootstrap.kind === 'platform';
    const title = platform ? translate('console.platform_title') : translate('console.title', { name: bootstrap.name });

    const submit = async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
            await login({ email, password });
        } catch (exc) {
            const message =
                exc?.message === NOT_ALLOWED
                    ? translate(platform ? 'console.auth.not_allowed_platform' : 'console.auth.not_allowed')
                    : exc?.message || translate('ra.auth.sign_in_error');
            setError(message);
            notify(message, { type: 'error', messageArgs: { _: message } });
        } finally {
            setBusy(false);
        }
    };

    return (
        <Box component="main" sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'primary.main', p: 2 }}>
            <Card sx={{ width: '100%', maxWidth: 400 }}>
                <CardContent>
                    <Box sx={{ display: 'flex', justifyContent: 'flex-end' }}>
                        <LocalesMenuButton />
                    </Box>
                    {bootstrap.logo_url ? (
                        <Box component="img" src={bootstrap.logo_url} alt={bootstrap.name} sx={{ display: 'block', maxHeight: 64, maxWidth: '80%', mx: 'auto', mb: 2 }} />
                    ) : null}
                    <Typography component="h1" variant="h5" align="center" gutterBottom>
                        {title}
                    </Typography>
                    <Typography component="p" variant="body2" align="center" color="text.secondary" gutterBottom>
                        {translate('console.auth.heading')}
                    </Typography>
                    {error ? (
                        <Alert severity="error" role="alert" sx={{ my: 1 }} data-testid="login-error">
                            {error}
                        </Alert>
                    ) : null}
                    <Box component="form" onSubmit={submit} noValidate={false}>
                        <TextField
                            id="login-email"
                            name="email"
                            type="email"
                            autoComplete="username"
                            label={translate('console.auth.email')}
                            value={email}
                            onChange={(event) => setEmail(event.target.value)}
                            required
                            fullWidth
                            margin="normal"
                            autoFocus
                        />
                        <TextField
                            id="login-password"
                            name="password"
                            type="password"
                            autoComplete="current-password"
                            label={translate('console.auth.password')}
                            value={password}
                            onChange={(event) => setPassword(event.target.value)}
                            required
                            fullWidth
                            margin="normal"
                        />
                        <Button type="submit" variant="contained" fullWidth disabled={busy} sx={{ mt: 2 }}>
                            {translate('console.auth.sign_in')}
                        </Button>
                    </Box>
                </CardContent>
            </Card>
        </Box>
    );
}
