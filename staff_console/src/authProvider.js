// Session-cookie authentication (docs/staff-console.md, "Authentication"): the login's token is
// ignored, never stored; who may use the console comes from GET /api/auth/console/.

export const NOT_ALLOWED = 'console.auth.not_allowed';

export function createAuthProvider({ http }) {
    let current = null; // the pending or answered /api/auth/console/ request, in memory only

    function consoleIdentity({ fresh = false } = {}) {
        if (fresh || current === null) {
            current = http.fetchJson('/api/auth/console/').then(({ json }) => json);
            current.catch(() => {
                current = null;
            });
        }
        return current;
    }

    async function endSession() {
        current = null;
        try {
            await http.fetchJson('/api/auth/logout/', { method: 'POST', body: {} });
        } catch {
            // Already logged out (401/403): nothing left to end.
        }
    }

    return {
        async login({ username, email, password }) {
            current = null;
            await http.csrfToken();
            await http.fetchJson('/api/auth/login/', {
                method: 'POST',
                body: { email: email ?? username, password },
            });
            const identity = await consoleIdentity({ fresh: true });
            if (!identity?.allowed) {
                await endSession();
                throw new Error(NOT_ALLOWED);
            }
            return identity;
        },
        async logout() {
            await endSession();
        },
        async checkAuth() {
            const identity = await consoleIdentity();
            if (!identity?.allowed) {
                current = null;
                throw new Error(identity ? NOT_ALLOWED : 'ra.auth.auth_check_error');
            }
        },
        async checkError(error) {
            if (error?.status === 401) {
                current = null;
                throw error;
            }
        },
        async getIdentity() {
            const identity = await consoleIdentity();
            return {
                id: identity.user.id,
                fullName: identity.user.full_name || identity.user.email,
                email: identity.user.email,
            };
        },
        async getPermissions() {
            try {
                const identity = await consoleIdentity();
                return {
                    kind: identity.kind,
                    role: identity.role,
                    can_impersonate: Boolean(identity.can_impersonate),
                    language: identity.language,
                };
            } catch {
                return null;
            }
        },
        /** Forget the cached identity (after a 401 seen outside react-admin's queries). */
        forget() {
            current = null;
        },
    };
}
