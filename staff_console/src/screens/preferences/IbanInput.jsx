// An IBAN as people read it: typed freely, shown upper case in groups of four once the field is
// left; the API's error (an invalid IBAN) beside it. The form sends it compact (payment.js).
import { TextField } from '@mui/material';
import { InputHelperText, useInput, useTranslate } from 'react-admin';
import { formatIban } from './payment.js';

export default function IbanInput({ source, label, helperText }) {
    const translate = useTranslate();
    const { id, field, fieldState, isRequired } = useInput({ source });
    const error = fieldState.error?.message;
    return (
        <TextField
            id={id}
            name={field.name}
            className={`ra-input ra-input-${source}`}
            label={translate(label)}
            value={field.value || ''}
            onChange={(event) => field.onChange(event.target.value)}
            onBlur={() => {
                field.onChange(formatIban(field.value));
                field.onBlur();
            }}
            inputRef={field.ref}
            error={Boolean(error)}
            required={isRequired}
            placeholder="BE71 0961 2345 6769"
            size="small"
            fullWidth
            margin="dense"
            helperText={<InputHelperText error={error} helperText={helperText} />}
            inputProps={{
                maxLength: 50,
                spellCheck: false,
                autoCapitalize: 'characters',
                autoComplete: 'off',
                'aria-invalid': Boolean(error),
            }}
        />
    );
}
