// One polyglot i18n provider for the console: react-admin's own texts (ra.*) in en/fr from npm,
// in nl from ra-dutch.js, deep-merged with the console's and every screen's messages.
import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';
import frenchMessages from 'ra-language-french';
import dutchMessages from './ra-dutch.js';
import consoleMessages from './console.js';

export const LOCALES = [
    { locale: 'en', name: 'English' },
    { locale: 'nl', name: 'Nederlands' },
    { locale: 'fr', name: 'Français' },
];
const RA = { en: englishMessages, nl: dutchMessages, fr: frenchMessages };

function isPlainObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function deepMerge(target, source) {
    const out = { ...target };
    for (const [key, value] of Object.entries(source || {})) {
        out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key], value) : value;
    }
    return out;
}

/** {en, nl, fr}: the console's and the screens' messages (without react-admin's own). */
export function screenMessages(screens) {
    const merged = { en: {}, nl: {}, fr: {} };
    for (const source of [consoleMessages, ...screens.map((screen) => screen.messages || {})]) {
        for (const { locale } of LOCALES) merged[locale] = deepMerge(merged[locale], source[locale]);
    }
    return merged;
}

export function allMessages(screens) {
    const own = screenMessages(screens);
    return Object.fromEntries(LOCALES.map(({ locale }) => [locale, deepMerge(RA[locale], own[locale])]));
}

export function pickLocale(language) {
    const code = String(language || '').toLowerCase().split('-')[0];
    return LOCALES.some((entry) => entry.locale === code) ? code : 'en';
}

export function createI18nProvider(screens, initialLocale) {
    const messages = allMessages(screens);
    return polyglotI18nProvider((locale) => messages[locale] || messages.en, pickLocale(initialLocale), LOCALES, {
        allowMissing: true, // a person's name given as a label; missing keys are caught by i18n.test.js
    });
}
