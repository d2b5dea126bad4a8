// The preferences screen: tabs for the portal's settings, the organisation's branding, how residents
// pay, the notification defaults, the emails and (administrators) the domains.
import { Title, useTranslate } from 'react-admin';
import { Box, Card, CardContent, Tab, Tabs } from '@mui/material';
import { Link as RouterLink, useLocation } from 'react-router-dom';
import PortalForm from './PortalForm.jsx';
import { EmailEditor, EmailList } from './EmailTemplates.jsx';
import Domains from './Domains.jsx';
import OrganisationForm from './OrganisationForm.jsx';
import PaymentForm from './PaymentForm.jsx';
import NotificationForm from './NotificationForm.jsx';

const TABS = [
    { path: '/preferences', label: 'preferences.tabs.portal' },
    { path: '/preferences/organisation', label: 'preferences.tabs.organisation' },
    { path: '/preferences/payments', label: 'preferences.tabs.payments' },
    { path: '/preferences/notifications', label: 'preferences.tabs.notifications' },
    { path: '/preferences/emails', label: 'preferences.tabs.emails' },
    { path: '/preferences/domains', label: 'preferences.tabs.domains', adminOnly: true },
];

export default function PreferencesPage({ tab, isAdmin }) {
    const translate = useTranslate();
    const { pathname } = useLocation();
    const tabs = TABS.filter((entry) => isAdmin || !entry.adminOnly);
    const path = { portal: '/preferences', email: '/preferences/emails' }[tab] || `/preferences/${tab}`;
    const current = tabs.findIndex((entry) => entry.path === path);
    return (
        <Card sx={{ mt: 1 }}>
            <Title title={translate('preferences.title')} />
            {/* Capped so that the tabs scroll on a phone instead of widening the whole page. */}
            <Box sx={{ borderBottom: 1, borderColor: 'divider', maxWidth: 'calc(100vw - 32px)' }}>
                <Tabs value={current < 0 ? 0 : current} variant="scrollable" allowScrollButtonsMobile aria-label={translate('preferences.title')}>
                    {tabs.map((entry) => (
                        <Tab key={entry.path} component={RouterLink} to={entry.path} label={translate(entry.label)} />
                    ))}
                </Tabs>
            </Box>
            <CardContent key={pathname}>
                {tab === 'portal' ? <PortalForm /> : null}
                {tab === 'organisation' ? <OrganisationForm /> : null}
                {tab === 'payments' ? <PaymentForm /> : null}
                {tab === 'notifications' ? <NotificationForm /> : null}
                {tab === 'emails' ? <EmailList /> : null}
                {tab === 'email' ? <EmailEditor /> : null}
                {tab === 'domains' ? <Domains /> : null}
            </CardContent>
        </Card>
    );
}
