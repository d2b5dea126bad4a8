// A button that asks first: the dialog says what will happen (e.g. what a reset deletes), and
// only "Confirm" calls onConfirm. Optional children render inside the dialog (a reason field…).
import { useState } from 'react';
import { Button, Confirm, useTranslate } from 'react-admin';

export default function ConfirmButton({
    label,
    title,
    content,
    onConfirm,
    icon,
    disabled = false,
    color = 'primary',
    confirmColor = 'primary',
    ...rest
}) {
    const [open, setOpen] = useState(false);
    const [busy, setBusy] = useState(false);
    const translate = useTranslate();
    const handleConfirm = async () => {
        setBusy(true);
        try {
            await onConfirm();
            setOpen(false);
        } finally {
            setBusy(false);
        }
    };
    return (
        <>
            <Button label={label} onClick={() => setOpen(true)} disabled={disabled || busy} color={color} {...rest}>
                {icon}
            </Button>
            <Confirm
                isOpen={open}
                loading={busy}
                title={title || label}
                content={content}
                confirm={translate('console.actions.confirm')}
                cancel={translate('console.actions.cancel')}
                confirmColor={confirmColor}
                onConfirm={handleConfirm}
                onClose={() => setOpen(false)}
            />
        </>
    );
}
