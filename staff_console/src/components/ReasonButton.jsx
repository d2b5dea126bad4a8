// A button whose dialog asks the reason the resident receives (reject, cancel…). `send(reason)`
// does the request (and says it worked); the API's error on `reason` shows beside the field, any
// other failure goes to `onError(failure, close)`.
import { useState } from 'react';
import { Button } from 'react-admin';
import {
    Dialog,
    DialogActions,
    DialogContent,
    DialogContentText,
    DialogTitle,
    TextField as MuiTextField,
} from '@mui/material';

/** `title`, `help`, `reasonLabel`, `reasonHelp`: texts already translated; `label`: a message key
 * (react-admin's Button translates it); `buttonProps`: more props of the opening button. */
export default function ReasonButton({
    fieldId,
    label,
    title,
    help,
    reasonLabel,
    reasonHelp = ' ',
    required = false,
    color = 'error',
    buttonProps = {},
    actionsSx,
    send,
    onError,
}) {
    const [open, setOpen] = useState(false);
    const [reason, setReason] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const close = () => {
        setOpen(false);
        setError('');
    };
    const submit = async (event) => {
        event.preventDefault();
        setBusy(true);
        try {
            await send(reason);
            setReason('');
            close();
        } catch (failure) {
            const fieldError = failure?.body?.errors?.reason;
            if (fieldError) setError(fieldError);
            else onError(failure, close);
        } finally {
            setBusy(false);
        }
    };
    return (
        <>
            <Button label={label} color={color} onClick={() => setOpen(true)} {...buttonProps} />
            <Dialog open={open} onClose={close} aria-labelledby={`${fieldId}-title`} fullWidth maxWidth="sm">
                <form onSubmit={submit} noValidate>
                    <DialogTitle id={`${fieldId}-title`}>{title}</DialogTitle>
                    <DialogContent>
                        <DialogContentText sx={{ mb: 2 }}>{help}</DialogContentText>
                        <MuiTextField
                            id={fieldId}
                            name="reason"
                            label={reasonLabel}
                            value={reason}
                            onChange={(event) => setReason(event.target.value)}
                            error={Boolean(error)}
                            helperText={error || reasonHelp}
                            inputProps={{ maxLength: 500 }}
                            required={required}
                            multiline
                            minRows={3}
                            fullWidth
                            autoFocus
                        />
                    </DialogContent>
                    <DialogActions sx={actionsSx}>
                        <Button label="console.actions.cancel" onClick={close} />
                        <Button label={label} type="submit" color={color} variant="contained" disabled={busy} />
                    </DialogActions>
                </form>
            </Dialog>
        </>
    );
}
