import { useState } from 'react';
import { Confirm, useDataProvider, useNotify, usePermissions, useRefresh, useTranslate } from 'react-admin';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Link,
  TextField,
} from '@mui/material';

import { canManageAccounts } from './choices';

/** Posts one of the portal card's actions and tells the staff member what happened (the API's words). */
const usePortalAction = (customer) => {
  const dataProvider = useDataProvider();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  const run = async (action, body = {}, { onError } = {}) => {
    setBusy(true);
    try {
      const answer = (await dataProvider.action('customers', customer.id, `portal/${action}`, body)) ?? {};
      refresh();
      return answer;
    } catch (error) {
      if (!onError || !onError(error)) notify(error.message, { type: 'error' });
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, notify };
};

const InviteDialog = ({ customer, label, open, onClose }) => {
  const translate = useTranslate();
  const { run, busy, notify } = usePortalAction(customer);
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setFieldError(null);
    const answer = await run('invite', email ? { email } : {}, {
      onError: (error) => {
        const message = error.body?.errors?.email;
        if (message) setFieldError(message);
        return Boolean(message);
      },
    });
    if (answer) {
      notify(answer.detail, { type: 'success' });
      onClose();
    }
  };
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby="invite-title" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle id="invite-title">{label}</DialogTitle>
        <DialogContent>
          <TextField
            id="invite-email"
            type="email"
            label={translate('customers.actions.invite_email')}
            placeholder={customer.email || ''}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            error={Boolean(fieldError)}
            helperText={fieldError || ' '}
            fullWidth
            margin="dense"
            autoFocus
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{translate('customers.actions.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={busy}>
            {translate('customers.actions.invite_send')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
};

const ImpersonateDialog = ({ customer, open, onClose }) => {
  const translate = useTranslate();
  const { run, busy, notify } = usePortalAction(customer);
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState(null);
  const [portalUrl, setPortalUrl] = useState(null);
  const close = () => {
    setPortalUrl(null);
    setReason('');
    onClose();
  };
  const submit = async (event) => {
    event.preventDefault();
    setFieldError(null);
    const answer = await run('impersonate', { reason }, {
      onError: (error) => {
        const message = error.body?.errors?.reason;
        if (message) setFieldError(message);
        return Boolean(message);
      },
    });
    if (!answer?.portal_url) return;
    // The key travels in the URL's fragment, which the browser never sends to a server.
    const opened = window.open(answer.portal_url, '_blank');
    if (opened) {
      opened.opener = null;
      notify('customers.actions.impersonate_started', { type: 'success' });
      close();
    } else {
      setPortalUrl(answer.portal_url);
    }
  };
  return (
    <Dialog open={open} onClose={close} aria-labelledby="impersonate-title" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle id="impersonate-title">
          {translate('customers.actions.impersonate_title', { name: customer.name })}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>{translate('customers.actions.impersonate_body')}</DialogContentText>
          <TextField
            id="impersonate-reason"
            label={translate('customers.actions.impersonate_reason')}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            error={Boolean(fieldError)}
            helperText={fieldError || ' '}
            inputProps={{ maxLength: 300 }}
            fullWidth
            margin="dense"
            autoFocus
          />
          {portalUrl && (
            <DialogContentText role="status">
              {translate('customers.actions.impersonate_popup_blocked')}{' '}
              <Link href={portalUrl} target="_blank" rel="noopener noreferrer">
                {translate('customers.actions.open_portal')}
              </Link>
            </DialogContentText>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>{translate('customers.actions.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={busy}>
            {translate('customers.actions.impersonate_start')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
};

/** A button that posts an action straight away (resend confirmation, password reset). */
const DirectAction = ({ customer, action, label }) => {
  const translate = useTranslate();
  const { run, busy, notify } = usePortalAction(customer);
  const click = async () => {
    const answer = await run(action);
    if (answer) notify(answer.detail, { type: 'success' });
  };
  return (
    <Button variant="outlined" onClick={click} disabled={busy}>
      {translate(label)}
    </Button>
  );
};

/** A button whose action is confirmed in a dialog that says what it does. */
const ConfirmedAction = ({ customer, action, label, title, content, confirm, color, done }) => {
  const translate = useTranslate();
  const { run, busy, notify } = usePortalAction(customer);
  const [open, setOpen] = useState(false);
  const confirmed = async () => {
    const answer = await run(action);
    setOpen(false);
    if (answer) notify(done ? translate(done) : answer.detail, { type: 'success' });
  };
  const options = { name: customer.name, email: customer.portal_email || '' };
  return (
    <>
      <Button variant="outlined" color={color} onClick={() => setOpen(true)}>
        {translate(label)}
      </Button>
      <Confirm
        isOpen={open}
        loading={busy}
        title={title}
        content={content}
        confirm={confirm}
        cancel="customers.actions.cancel"
        translateOptions={options}
        onConfirm={confirmed}
        onClose={() => setOpen(false)}
      />
    </>
  );
};

/**
 * The portal card's buttons: only those the account's state allows, and only what the staff
 * member's role allows (the API refuses on its own as well).
 */
const PortalActions = ({ card, customer }) => {
  const translate = useTranslate();
  const { permissions } = usePermissions();
  const [dialog, setDialog] = useState(null);
  const who = { ...customer, portal_email: card.portal_email };
  const status = card.status;
  const inviteLabel = translate(
    status === 'no_account' ? 'customers.actions.invite' : 'customers.actions.resend_invitation',
  );
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }} role="group" aria-label={translate('customers.card.heading')}>
      {status !== 'active' && (
        <Button variant="contained" onClick={() => setDialog('invite')}>
          {inviteLabel}
        </Button>
      )}
      {status === 'not_confirmed' && (
        <DirectAction customer={who} action="resend-confirmation" label="customers.actions.resend_confirmation" />
      )}
      {status === 'active' && (
        <DirectAction customer={who} action="send-password-reset" label="customers.actions.password_reset" />
      )}
      {status === 'active' && permissions?.can_impersonate && (
        <Button variant="contained" onClick={() => setDialog('impersonate')}>
          {translate('customers.actions.impersonate')}
        </Button>
      )}
      {status === 'active' && (
        <ConfirmedAction
          customer={who}
          action="log-out-everywhere"
          label="customers.actions.log_out_everywhere"
          title="customers.actions.log_out_title"
          content="customers.actions.log_out_body"
          confirm="customers.actions.log_out_confirm"
          done="customers.actions.logged_out"
        />
      )}
      {status !== 'no_account' && canManageAccounts(permissions) && (
        <ConfirmedAction
          customer={who}
          action="reset"
          label="customers.actions.reset"
          title="customers.actions.reset_title"
          content="customers.actions.reset_body"
          confirm="customers.actions.reset_confirm"
          color="error"
        />
      )}
      <InviteDialog customer={customer} label={inviteLabel} open={dialog === 'invite'} onClose={() => setDialog(null)} />
      {permissions?.can_impersonate && (
        <ImpersonateDialog customer={customer} open={dialog === 'impersonate'} onClose={() => setDialog(null)} />
      )}
    </Box>
  );
};

export default PortalActions;
