// Who may decide on a resident's request (accept, reject, approve, cancel): staff members and
// administrators; support members read (the API refuses them anyway).
// ra-core (what react-admin re-exports): the pure part stays testable without the UI packages.
import { usePermissions } from 'ra-core';

/** Whether the signed-in member's permissions allow deciding: any role but support. */
export function mayDecide(permissions) {
    return Boolean(permissions?.role && permissions.role !== 'support');
}

export function useMayDecide() {
    const { permissions } = usePermissions();
    return mayDecide(permissions);
}
