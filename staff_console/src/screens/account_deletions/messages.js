// Account deletions screen texts (issue 19), in the product's wording.
const en = {
    resources: {
        'account-deletions': {
            name: 'Account deletion |||| Account deletions',
            fields: {
                customer: 'Customer',
                customer_number: 'Customer number',
                customer_name: 'Name',
                status: 'Status',
                reason: 'Reason given',
                requested_at: 'Requested',
                expires_at: 'Link valid until',
                completed_at: 'Deleted',
                cancelled_at: 'Cancelled',
                identity_deleted: 'Login',
                removed: 'Removed',
                q: 'Search',
            },
        },
    },
    account_deletions: {
        status: {
            pending: 'Waiting for confirmation',
            completed: 'Deleted',
            cancelled: 'Cancelled',
            expired: 'Expired',
        },
        cancel: 'Cancel the request',
        cancel_content: 'The link emailed to the resident stops working and the portal account stays.',
        cancelled: 'The request was cancelled.',
        identity_gone: 'Deleted everywhere (used nowhere else)',
        identity_kept: 'Kept: still used elsewhere (another organisation or staff)',
        removed_kinds: {
            portal_account: 'Portal account',
            api_tokens: 'API tokens',
            sessions: 'Browser sessions',
            one_time_links: 'Emailed links',
            pending_registrations: 'Pending registrations',
            data_exports: 'Data archives',
            move_in_drafts: 'Move-in drafts',
            notification_choices: 'Notification choices',
            contact_details: 'Contact details entered in the portal',
            activity_entries_anonymised: 'Activity entries anonymised',
            emails: 'Emails in the outbox',
            account_requests: 'Password reset requests',
        },
    },
};

const nl = {
    resources: {
        'account-deletions': {
            name: 'Accountverwijdering |||| Accountverwijderingen',
            fields: {
                customer: 'Klant',
                customer_number: 'Klantnummer',
                customer_name: 'Naam',
                status: 'Status',
                reason: 'Opgegeven reden',
                requested_at: 'Aangevraagd',
                expires_at: 'Link geldig tot',
                completed_at: 'Verwijderd',
                cancelled_at: 'Geannuleerd',
                identity_deleted: 'Aanmelding',
                removed: 'Verwijderd',
                q: 'Zoeken',
            },
        },
    },
    account_deletions: {
        status: {
            pending: 'Wacht op bevestiging',
            completed: 'Verwijderd',
            cancelled: 'Geannuleerd',
            expired: 'Verlopen',
        },
        cancel: 'De aanvraag annuleren',
        cancel_content: 'De link die de bewoner per e-mail kreeg, werkt niet meer en het portaalaccount blijft bestaan.',
        cancelled: 'De aanvraag is geannuleerd.',
        identity_gone: 'Overal verwijderd (nergens anders gebruikt)',
        identity_kept: 'Behouden: nog elders gebruikt (andere organisatie of medewerker)',
        removed_kinds: {
            portal_account: 'Portaalaccount',
            api_tokens: 'API-tokens',
            sessions: 'Browsersessies',
            one_time_links: 'Gemailde links',
            pending_registrations: 'Lopende registraties',
            data_exports: 'Gegevensarchieven',
            move_in_drafts: 'Verhuisconcepten',
            notification_choices: 'Meldingskeuzes',
            contact_details: 'In het portaal ingevulde contactgegevens',
            activity_entries_anonymised: 'Geanonimiseerde activiteiten',
            emails: 'E-mails in de outbox',
            account_requests: 'Aanvragen om het wachtwoord te herstellen',
        },
    },
};

const fr = {
    resources: {
        'account-deletions': {
            name: 'Suppression de compte |||| Suppressions de compte',
            fields: {
                customer: 'Client',
                customer_number: 'Numéro de client',
                customer_name: 'Nom',
                status: 'Statut',
                reason: 'Raison donnée',
                requested_at: 'Demandée',
                expires_at: 'Lien valable jusqu’au',
                completed_at: 'Supprimé',
                cancelled_at: 'Annulée',
                identity_deleted: 'Identifiant',
                removed: 'Supprimé',
                q: 'Rechercher',
            },
        },
    },
    account_deletions: {
        status: {
            pending: 'En attente de confirmation',
            completed: 'Supprimé',
            cancelled: 'Annulée',
            expired: 'Expirée',
        },
        cancel: 'Annuler la demande',
        cancel_content: 'Le lien envoyé au résident ne fonctionne plus et le compte du portail est conservé.',
        cancelled: 'La demande a été annulée.',
        identity_gone: 'Supprimé partout (utilisé nulle part ailleurs)',
        identity_kept: 'Conservé : encore utilisé ailleurs (autre organisation ou membre du personnel)',
        removed_kinds: {
            portal_account: 'Compte du portail',
            api_tokens: 'Jetons d’API',
            sessions: 'Sessions du navigateur',
            one_time_links: 'Liens envoyés par e-mail',
            pending_registrations: 'Inscriptions en attente',
            data_exports: 'Archives de données',
            move_in_drafts: 'Brouillons d’emménagement',
            notification_choices: 'Choix de notifications',
            contact_details: 'Coordonnées saisies dans le portail',
            activity_entries_anonymised: 'Entrées d’activité anonymisées',
            emails: 'E-mails de la boîte d’envoi',
            account_requests: 'Demandes de réinitialisation du mot de passe',
        },
    },
};

export default { en, nl, fr };
