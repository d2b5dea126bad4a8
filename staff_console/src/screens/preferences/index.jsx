// Screen 1: portal preferences (portal-preferences.txt). Administrators (and the "staff" role the
// API lets change the configuration) see it; support members do not, and the API refuses them.
// The domains tab is for administrators only (the API refuses everyone else).
import { Route } from 'react-router-dom';
import TuneIcon from '@mui/icons-material/Tune';
import messages from './messages.js';
import PreferencesPage from './PreferencesPage.jsx';

export function canConfigure(permissions) {
    return permissions?.kind === 'organisation' && ['admin', 'staff'].includes(permissions?.role);
}

function isAdmin(permissions) {
    return permissions?.kind === 'organisation' && permissions?.role === 'admin';
}

export default {
    name: 'preferences',
    messages,
    resources: () => [],
    routes: (permissions) => {
        if (!canConfigure(permissions)) return [];
        const admin = isAdmin(permissions);
        const page = (tab) => <PreferencesPage tab={tab} isAdmin={admin} />;
        return [
            <Route key="preferences" path="/preferences" element={page('portal')} />,
            <Route key="preferences-organisation" path="/preferences/organisation" element={page('organisation')} />,
            <Route key="preferences-payments" path="/preferences/payments" element={page('payments')} />,
            <Route key="preferences-notifications" path="/preferences/notifications" element={page('notifications')} />,
            <Route key="preferences-emails" path="/preferences/emails" element={page('emails')} />,
            <Route key="preferences-email" path="/preferences/emails/:key/:language" element={page('email')} />,
            ...(admin ? [<Route key="preferences-domains" path="/preferences/domains" element={page('domains')} />] : []),
        ];
    },
    menu: (permissions) =>
        canConfigure(permissions) ? [{ to: '/preferences', label: 'preferences.menu', icon: <TuneIcon /> }] : [],
};
