// Console texts of the customers screen and the portal card, in the product's own wording
// (the Django catalogue's words for the same statuses, fields and actions); one file a language.
import en from './i18n/en.js';
import nl from './i18n/nl.js';
import fr from './i18n/fr.js';

export default { en, nl, fr };
