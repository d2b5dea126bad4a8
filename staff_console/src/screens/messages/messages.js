// Page messages screen texts; field names, types and statuses in the product's own wording
// (configuration/models.py and locale/nl, locale/fr).
export default {
    en: {
        ra: {
            tiptap: {
                link: 'Add a link',
                list_bulleted: 'Bulleted list',
                list_numbered: 'Numbered list',
                clear_format: 'Clear formatting',
                color: 'Text colour',
                highlight: 'Background colour',
            },
        },
        resources: {
            'configuration/messages': {
                name: 'Page message |||| Page messages',
                fields: {
                    page: 'Page',
                    kind: 'Type',
                    bodies: 'Text',
                    visible_from: 'Visible from',
                    visible_until: 'Visible until',
                    position: 'Position',
                },
            },
        },
        page_messages: {
            locale_code: 'en',
            kind: { neutral: 'Neutral', warning: 'Warning', important: 'Important' },
            languages: 'Languages',
            text_per_language: 'Text per language',
            text_in: 'Text in %{language}',
            visible_from_help: 'Empty: from now on',
            visible_until_help: 'Empty: until it is removed',
            preview: {
                heading: 'Preview as residents will see it (%{language})',
                empty: 'Nothing to show yet in this language.',
                length: '%{length} characters; we recommend at most %{limit}.',
            },
            editor: {
                level: 'Text style',
                paragraph: 'Normal text',
                heading: 'Heading %{level}',
                bold: 'Bold',
                italic: 'Italic',
                underline: 'Underline',
                strike: 'Strikethrough',
            },
        },
    },
    nl: {
        ra: {
            tiptap: {
                link: 'Een link toevoegen',
                list_bulleted: 'Lijst met opsommingstekens',
                list_numbered: 'Genummerde lijst',
                clear_format: 'Opmaak wissen',
                color: 'Tekstkleur',
                highlight: 'Achtergrondkleur',
            },
        },
        resources: {
            'configuration/messages': {
                name: 'Paginabericht |||| Paginaberichten',
                fields: {
                    page: 'Pagina',
                    kind: 'Type',
                    bodies: 'Tekst',
                    visible_from: 'Zichtbaar vanaf',
                    visible_until: 'Zichtbaar tot',
                    position: 'Positie',
                },
            },
        },
        page_messages: {
            locale_code: 'nl',
            kind: { neutral: 'Neutraal', warning: 'Waarschuwing', important: 'Belangrijk' },
            languages: 'Talen',
            text_per_language: 'Tekst per taal',
            text_in: 'Tekst in het %{language}',
            visible_from_help: 'Leeg: vanaf nu',
            visible_until_help: 'Leeg: tot het verwijderd wordt',
            preview: {
                heading: 'Voorbeeld zoals bewoners het zien (%{language})',
                empty: 'Nog niets te tonen in deze taal.',
                length: '%{length} tekens; we raden hoogstens %{limit} aan.',
            },
            editor: {
                level: 'Tekststijl',
                paragraph: 'Gewone tekst',
                heading: 'Kop %{level}',
                bold: 'Vet',
                italic: 'Cursief',
                underline: 'Onderstrepen',
                strike: 'Doorhalen',
            },
        },
    },
    fr: {
        ra: {
            tiptap: {
                link: 'Ajouter un lien',
                list_bulleted: 'Liste à puces',
                list_numbered: 'Liste numérotée',
                clear_format: 'Effacer la mise en forme',
                color: 'Couleur du texte',
                highlight: "Couleur d'arrière-plan",
            },
        },
        resources: {
            'configuration/messages': {
                name: 'Message de page |||| Messages de page',
                fields: {
                    page: 'Page',
                    kind: 'Type',
                    bodies: 'Texte',
                    visible_from: 'Visible à partir du',
                    visible_until: 'Visible jusqu’au',
                    position: 'Position',
                },
            },
        },
        page_messages: {
            locale_code: 'fr',
            kind: { neutral: 'Neutre', warning: 'Avertissement', important: 'Important' },
            languages: 'Langues',
            text_per_language: 'Texte par langue',
            text_in: 'Texte en %{language}',
            visible_from_help: 'Vide : dès maintenant',
            visible_until_help: 'Vide : jusqu’à sa suppression',
            preview: {
                heading: 'Aperçu tel que les résidents le verront (%{language})',
                empty: 'Rien à afficher dans cette langue pour l’instant.',
                length: '%{length} caractères ; nous recommandons %{limit} au maximum.',
            },
            editor: {
                level: 'Style du texte',
                paragraph: 'Texte normal',
                heading: 'Titre %{level}',
                bold: 'Gras',
                italic: 'Italique',
                underline: 'Souligner',
                strike: 'Barrer',
            },
        },
    },
};
