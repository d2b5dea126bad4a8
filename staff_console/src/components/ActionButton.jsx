// POST <root><resource>/<id>/<action>/ through the data provider, then notify and refresh.
// With `confirm` (title/content), the action runs only after the confirming dialog.
import { Button, useDataProvider, useNotify, useRecordContext, useRefresh, useResourceContext } from 'react-admin';
import { useState } from 'react';
import ConfirmButton from './ConfirmButton.jsx';

export function useAction() {
    const dataProvider = useDataProvider();
    const notify = useNotify();
    const refresh = useRefresh();
    return async ({ resource, id, action, body = {}, success = 'console.actions.done', onSuccess }) => {
        try {
            const result = await dataProvider.action(resource, id, action, body);
            notify(success, { type: 'success' });
            refresh();
            if (onSuccess) onSuccess(result);
            return result;
        } catch (error) {
            notify(error?.message || 'ra.notification.http_error', { type: 'error' });
            return undefined;
        }
    };
}

export default function ActionButton({
    action,
    label,
    body,
    resource: resourceProp,
    record: recordProp,
    success,
    confirm,
    onSuccess,
    icon,
    ...rest
}) {
    const record = useRecordContext({ record: recordProp });
    const resource = useResourceContext({ resource: resourceProp });
    const run = useAction();
    const [busy, setBusy] = useState(false);
    if (!record) return null;
    const execute = async () => {
        setBusy(true);
        try {
            await run({ resource, id: record.id, action, body: typeof body === 'function' ? body(record) : body, success, onSuccess });
        } finally {
            setBusy(false);
        }
    };
    if (confirm) {
        return <ConfirmButton label={label} title={confirm.title} content={confirm.content} onConfirm={execute} icon={icon} {...rest} />;
    }
    return (
        <Button label={label} onClick={execute} disabled={busy} {...rest}>
            {icon}
        </Button>
    );
}
