// The console: react-admin under /staff (BrowserRouter basename), the screens of this host kind
// (organisation or platform), the session-cookie auth provider and the DRF data provider.
import { useMemo } from 'react';
import { BrowserRouter } from 'react-router-dom';
import { Admin, CustomRoutes, localStorageStore } from 'react-admin';
import { apiRoot } from './bootstrap.js';
import { createHttp } from './http.js';
import { createDataProvider } from './dataProvider.js';
import { createAuthProvider } from './authProvider.js';
import { createI18nProvider } from './i18n/index.js';
import { organisationScreens, platformScreens } from './screens/index.js';
import { ConsoleContext } from './components/ConsoleContext.jsx';
import Layout from './components/Layout.jsx';
import LoginPage from './components/LoginPage.jsx';
import Dashboard from './components/Dashboard.jsx';
import { consoleTheme } from './theme.js';

// react-admin's UI preferences (columns, language, list params) only: never a credential.
const store = localStorageStore('1', 'staff-console');

function currentLocale() {
    const stored = store.getItem('locale');
    return stored || 'en';
}

export default function App({ bootstrap }) {
    const screens = bootstrap.kind === 'platform' ? platformScreens : organisationScreens;
    const value = useMemo(() => ({ bootstrap, screens }), [bootstrap, screens]);
    const { dataProvider, authProvider, i18nProvider } = useMemo(() => {
        // A screen may ask for PUT instead of PATCH on its resources: {resourceOptions: {name: {update: 'PUT'}}}.
        const resourceOptions = Object.assign({}, ...screens.map((screen) => screen.resourceOptions || {}));
        const i18n = createI18nProvider(screens, store.getItem('locale') || bootstrap.language);
        const http = createHttp({
            getLocale: () => i18n.getLocale() || currentLocale(),
            csrfCookieName: bootstrap.csrf_cookie_name,
        });
        return {
            i18nProvider: i18n,
            authProvider: createAuthProvider({ http }),
            dataProvider: createDataProvider({ http, root: apiRoot(bootstrap.kind), resourceOptions }),
        };
    }, [bootstrap, screens]);
    const theme = useMemo(() => consoleTheme(bootstrap), [bootstrap]);

    return (
        <ConsoleContext.Provider value={value}>
            <BrowserRouter basename="/staff">
                <Admin
                    title={bootstrap.name}
                    dataProvider={dataProvider}
                    authProvider={authProvider}
                    i18nProvider={i18nProvider}
                    store={store}
                    theme={theme}
                    layout={Layout}
                    loginPage={LoginPage}
                    dashboard={Dashboard}
                    requireAuth
                    disableTelemetry
                >
                    {(permissions) => [
                        ...screens.flatMap((screen) => screen.resources(permissions || {})),
                        <CustomRoutes key="routes">
                            {screens.flatMap((screen) => (screen.routes ? screen.routes(permissions || {}) : []))}
                        </CustomRoutes>,
                    ]}
                </Admin>
            </BrowserRouter>
        </ConsoleContext.Provider>
    );
}
