// After onboarding: each step of GET …/organisations/<slug>/progress/, polled until `ready`
// (the schema, the primary domain routed to the organisation, the first administrator's
// invitation email sent by the outbox, the portal answering).
import { useEffect, useState } from 'react';
import { Link as RouterLink, useLocation, useParams } from 'react-router-dom';
import { Loading, Title, useDataProvider, useTranslate } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, List, ListItem, ListItemIcon, ListItemText, Typography } from '@mui/material';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import HourglassEmptyIcon from '@mui/icons-material/HourglassEmpty';
import { PLATFORM_API, portalUrl } from './choices.js';

const POLL_MS = 1000;

function stepDetail(translate, step) {
    if (step.key === 'invitation') return translate(`operators.progress.invitation.${step.detail}`, { _: step.detail });
    if (step.key === 'portal') return translate(`operators.status.${step.detail}`, { _: step.detail });
    return step.detail;
}

export default function Progress() {
    const { id } = useParams();
    const { state } = useLocation();
    const translate = useTranslate();
    const dataProvider = useDataProvider();
    const [progress, setProgress] = useState(null);
    const [failure, setFailure] = useState(null);

    useEffect(() => {
        let stopped = false;
        let timer;
        const poll = async () => {
            try {
                const { json } = await dataProvider.fetchJson(
                    `${PLATFORM_API}organisations/${encodeURIComponent(id)}/progress/`,
                );
                if (stopped) return;
                setProgress(json);
                if (!json.ready) timer = setTimeout(poll, POLL_MS);
            } catch (error) {
                if (!stopped) setFailure(error?.message || 'ra.notification.http_error');
            }
        };
        poll();
        return () => {
            stopped = true;
            clearTimeout(timer);
        };
    }, [dataProvider, id]);

    const domain = progress?.steps.find((step) => step.key === 'domain')?.detail;
    return (
        <Card sx={{ mt: 2, maxWidth: 760 }}>
            <Title title={translate('operators.progress.title', { name: state?.name || id })} />
            <CardContent>
                <Typography component="h1" variant="h5" gutterBottom>
                    {translate('operators.progress.title', { name: state?.name || id })}
                </Typography>
                {state?.seconds !== undefined ? (
                    <Typography variant="body2">
                        {translate('operators.progress.created', {
                            seconds: Number(state.seconds).toFixed(2),
                            method: state.method,
                        })}
                    </Typography>
                ) : null}
                {failure ? <Alert severity="error">{translate(failure, { _: failure })}</Alert> : null}
                {!progress && !failure ? <Loading /> : null}
                {progress ? (
                    <>
                        <List aria-label={translate('operators.progress.title', { name: state?.name || id })}>
                            {progress.steps.map((step) => (
                                <ListItem key={step.key} data-step={step.key} data-done={step.done ? 'yes' : 'no'}>
                                    <ListItemIcon>
                                        {step.done ? (
                                            <CheckCircleIcon color="success" titleAccess={translate('console.actions.done')} />
                                        ) : (
                                            <HourglassEmptyIcon color="action" />
                                        )}
                                    </ListItemIcon>
                                    <ListItemText
                                        primary={translate(`operators.progress.steps.${step.key}`)}
                                        secondary={stepDetail(translate, step)}
                                    />
                                </ListItem>
                            ))}
                        </List>
                        <Box role="status" aria-live="polite" sx={{ mb: 2 }}>
                            {progress.ready ? (
                                <Alert severity="success">{translate('operators.progress.ready')}</Alert>
                            ) : (
                                <Alert severity="info">{translate('operators.progress.waiting')}</Alert>
                            )}
                        </Box>
                        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
                            {progress.ready && domain ? (
                                <Button variant="contained" href={portalUrl(domain)} target="_blank" rel="noopener">
                                    {translate('operators.progress.open_portal')}
                                </Button>
                            ) : null}
                            <Button component={RouterLink} to={`/organisations/${encodeURIComponent(id)}/show`}>
                                {translate('operators.progress.to_organisation')}
                            </Button>
                        </Box>
                    </>
                ) : null}
            </CardContent>
        </Card>
    );
}
