// Choices and defaults the platform API knows (tenants/models.py, tenants/features.py).
export const STATUSES = [
    { id: 'active', name: 'operators.status.active' },
    { id: 'suspended', name: 'operators.status.suspended' },
];
export const PORTAL_STATUSES = [
    { id: 'active', name: 'operators.portal_status.active' },
    { id: 'inactive', name: 'operators.portal_status.inactive' },
];
export const LANGUAGES = [
    { id: 'nl', name: 'operators.languages.nl' },
    { id: 'fr', name: 'operators.languages.fr' },
    { id: 'en', name: 'operators.languages.en' },
];
// Same order and defaults as tenants.features.FEATURES.
export const FEATURES = [
    { key: 'cost_visualisation', default: false },
    { key: 'move_in', default: true },
    { key: 'move_out', default: true },
    { key: 'help_requests', default: true },
];

/** The portal's address on the port the console itself is served from (the same platform server). */
export function portalUrl(domain) {
    const { protocol, port } = window.location;
    return `${protocol}//${domain}${port ? `:${port}` : ''}/`;
}

// Field errors of a failed request for a react-admin form: one function for the whole console.
export { fieldErrors } from '../../http.js';

// The operator API's root. Not `dataProvider.root`: react-admin's useDataProvider() proxy turns
// every property into a function, so only the provider's methods can be reached through it.
export const PLATFORM_API = '/api/platform/';
