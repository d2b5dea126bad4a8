// A colour as #rrggbb: a labelled text field and a native colour picker bound to the same value,
// the API's field error and its contrast warnings (hard-to-read uses) shown beside it.
import { Alert, Box, TextField } from '@mui/material';
import { InputHelperText, useInput, useTranslate } from 'react-admin';

export default function ColourInput({ source, label, helperText, warnings = [], disabled = false }) {
    const translate = useTranslate();
    const { id, field, fieldState } = useInput({ source });
    const error = fieldState.error?.message;
    const name = translate(label);
    const value = field.value || '';
    const picker = /^#[0-9a-fA-F]{6}$/.test(value) ? value : '#ffffff';
    return (
        <Box
            className={`ra-input ra-input-${source}`}
            sx={{ display: 'flex', flexDirection: 'column', gap: 0.5, maxWidth: 360, width: '100%', mb: 1 }}
        >
            <Box sx={{ display: 'flex', alignItems: 'flex-start', gap: 1 }}>
                <TextField
                    id={id}
                    name={field.name}
                    label={name}
                    value={value}
                    onChange={(event) => field.onChange(event.target.value)}
                    onBlur={field.onBlur}
                    inputRef={field.ref}
                    error={Boolean(error)}
                    disabled={disabled}
                    placeholder="#0b5394"
                    size="small"
                    fullWidth
                    helperText={<InputHelperText error={error} helperText={helperText} />}
                    inputProps={{ maxLength: 7, spellCheck: false, 'aria-invalid': Boolean(error) }}
                />
                <Box
                    component="input"
                    type="color"
                    value={picker}
                    disabled={disabled}
                    aria-label={translate('preferences.fields.colour_picker', { name: name.toLowerCase() })}
                    onChange={(event) => field.onChange(event.target.value)}
                    sx={{ width: 48, height: 40, p: 0, border: 1, borderColor: 'divider', borderRadius: 1, flexShrink: 0 }}
                />
            </Box>
            {warnings.map((detail) => (
                <Alert key={detail} severity="warning" role="status" sx={{ py: 0 }}>
                    {detail}
                </Alert>
            ))}
        </Box>
    );
}
