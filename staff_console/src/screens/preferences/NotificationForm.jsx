// Which notification emails residents get until they choose themselves (configuration/notifications),
// one switch per kind the API lists, with its label in the staff member's language; and the
// payment reminder's days and the usage alert's threshold. Every refusal shows beside its field.
import {
    BooleanInput,
    NumberInput,
    SelectInput,
    useDataProvider,
    useLocaleState,
    useNotify,
    useTranslate,
} from 'react-admin';
import { saveConfiguration, useConfiguration } from './api.js';
import SettingsForm, { Section, pendingView } from './SettingsForm.jsx';
import { USAGE_COMPARISONS, kindLabel, notificationChanges, notificationRecord } from './notifications.js';

const N = (name) => `preferences.notifications.${name}`;

// The ranges are in the help texts, not min/max attributes: the browser's own check would stop the
// form in its language; the API's refusal shows beside the field in the console's.
export default function NotificationForm() {
    const translate = useTranslate();
    const notify = useNotify();
    const dataProvider = useDataProvider();
    // The labels come in the request's language: read again when the staff member switches.
    const [locale] = useLocaleState();
    const [answer, setAnswer] = useConfiguration('notifications', [locale]);
    const pending = pendingView(answer);
    if (pending) return pending;
    const record = notificationRecord(answer);

    const save = (values) =>
        saveConfiguration({
            dataProvider,
            notify,
            name: 'notifications',
            body: notificationChanges(values, record),
            onSaved: setAnswer,
            saved: N('saved'),
            unchanged: N('unchanged'),
        });
    return (
        <SettingsForm record={record} onSubmit={save}>
            <Section title={N('kinds_title')} intro={N('kinds_intro')}>
                {(answer.kinds || []).map((row) => (
                    <BooleanInput
                        key={row.kind}
                        source={`enabled.${row.kind}`}
                        label={kindLabel(row, translate)}
                        helperText={false}
                    />
                ))}
            </Section>
            <Section title={N('timing_title')}>
                {'reminder_days' in record ? (
                    <NumberInput
                        source="reminder_days"
                        label={N('reminder_days')}
                        helperText={N('reminder_days_help')}
                        step={1}
                    />
                ) : null}
                {'usage_threshold' in record ? (
                    <NumberInput
                        source="usage_threshold"
                        label={N('usage_threshold')}
                        helperText={N('usage_threshold_help')}
                        step={1}
                    />
                ) : null}
                {'usage_comparison' in record ? (
                    <SelectInput
                        source="usage_comparison"
                        label={N('usage_comparison')}
                        helperText={N('usage_comparison_help')}
                        choices={USAGE_COMPARISONS.map((id) => ({ id, name: N(`comparisons.${id}`) }))}
                    />
                ) : null}
            </Section>
        </SettingsForm>
    );
}
