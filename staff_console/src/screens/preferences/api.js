// The configuration part of the REST admin the preferences tabs talk to (organisation hosts only),
// and what each tab does with it alike: load one endpoint into state, PATCH the changes, notify.
import { useEffect, useState } from 'react';
import { useDataProvider } from 'react-admin';
import { fieldErrors } from '../../http.js';

// Not dataProvider.root: react-admin's data provider proxy turns every property into a function.
export const CONFIGURATION = '/api/admin/configuration/';

/** GET configuration/<name>/: the answer's JSON. */
export async function fetchConfiguration(dataProvider, name) {
    const { json } = await dataProvider.fetchJson(`${CONFIGURATION}${name}/`);
    return json;
}

/** PATCH configuration/<name>/ (JSON, or multipart with a FormData body): the answer's JSON. */
export async function patchConfiguration(dataProvider, name, body) {
    const { json } = await dataProvider.fetchJson(`${CONFIGURATION}${name}/`, { method: 'PATCH', body });
    return json;
}

/** `[state, setState]`: null while `load(dataProvider)` runs, its answer, or `{ error }` when it
 * failed. Loaded again when one of `deps` changes. */
export function useLoaded(load, deps = []) {
    const dataProvider = useDataProvider();
    const [state, setState] = useState(null);
    useEffect(() => {
        load(dataProvider)
            .then(setState)
            .catch((error) => setState({ error }));
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [dataProvider, ...deps]);
    return [state, setState];
}

/** One configuration endpoint in state (see useLoaded); e.g. `useConfiguration('payment')`. */
export function useConfiguration(name, deps = []) {
    return useLoaded((dataProvider) => fetchConfiguration(dataProvider, name), deps);
}

/** A failure that is not about the form's fields: its message as the notification. */
export function notifyFailure(notify, error) {
    notify(error?.message || 'ra.notification.http_error', { type: 'error' });
}

/**
 * A tab's onSubmit: PATCH `body` to configuration/<name>/, hand the answer to `onSaved` and notify
 * `saved`; the API's field errors are returned for react-admin to show beside each field (with the
 * "invalid form" notification unless `reportInvalid` is false), any other failure is notified.
 * With `unchanged`, an empty body sends nothing and notifies that message instead.
 */
export async function saveConfiguration({
    dataProvider,
    notify,
    name,
    body,
    onSaved,
    saved = 'preferences.saved',
    unchanged,
    reportInvalid = true,
}) {
    if (unchanged && !Object.keys(body).length) {
        notify(unchanged, { type: 'info' });
        return undefined;
    }
    try {
        onSaved(await patchConfiguration(dataProvider, name, body));
        notify(saved, { type: 'success' });
        return undefined;
    } catch (error) {
        const errors = fieldErrors(error);
        if (errors) {
            if (reportInvalid) notify('ra.message.invalid_form', { type: 'error' });
            return errors;
        }
        notifyFailure(notify, error);
        return undefined;
    }
}

export { fieldErrors };
