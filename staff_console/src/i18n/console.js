// The console's own texts (app bar, login, dashboard, shared components); each screen has its own
// messages.js. Wording follows the product's catalogue (locale/nl, locale/fr).
export default {
    en: {
        console: {
            title: '%{name} staff console',
            platform_title: 'Platform operators console',
            auth: {
                not_allowed: "This console is for the organisation's staff",
                not_allowed_platform: 'This console is for platform operators',
                email: 'Email address',
                password: 'Password',
                sign_in: 'Log in',
                heading: 'Log in to the staff console',
            },
            language: 'Language',
            dashboard: {
                welcome: 'Welcome, %{name}',
                intro: 'Choose a screen in the menu.',
            },
            actions: {
                confirm: 'Confirm',
                cancel: 'Cancel',
                done: 'Done',
            },
            role: {
                admin: 'Administrator',
                staff: 'Staff',
                support: 'Support',
            },
        },
    },
    nl: {
        console: {
            title: 'Medewerkersconsole van %{name}',
            platform_title: 'Console voor platformbeheerders',
            auth: {
                not_allowed: 'Deze console is voor de medewerkers van de organisatie',
                not_allowed_platform: 'Deze console is voor platformbeheerders',
                email: 'E-mailadres',
                password: 'Wachtwoord',
                sign_in: 'Inloggen',
                heading: 'Inloggen op de medewerkersconsole',
            },
            language: 'Taal',
            dashboard: {
                welcome: 'Welkom, %{name}',
                intro: 'Kies een scherm in het menu.',
            },
            actions: {
                confirm: 'Bevestigen',
                cancel: 'Annuleren',
                done: 'Gedaan',
            },
            role: {
                admin: 'Beheerder',
                staff: 'Medewerker',
                support: 'Support',
            },
        },
    },
    fr: {
        console: {
            title: 'Console du personnel de %{name}',
            platform_title: 'Console des opérateurs de la plateforme',
            auth: {
                not_allowed: "Cette console est réservée au personnel de l'organisation",
                not_allowed_platform: 'Cette console est réservée aux opérateurs de la plateforme',
                email: 'Adresse e-mail',
                password: 'Mot de passe',
                sign_in: 'Se connecter',
                heading: 'Se connecter à la console du personnel',
            },
            language: 'Langue',
            dashboard: {
                welcome: 'Bienvenue, %{name}',
                intro: 'Choisissez un écran dans le menu.',
            },
            actions: {
                confirm: 'Confirmer',
                cancel: 'Annuler',
                done: 'Terminé',
            },
            role: {
                admin: 'Administrateur',
                staff: 'Collaborateur',
                support: 'Support',
            },
        },
    },
};
