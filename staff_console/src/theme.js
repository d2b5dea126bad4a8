// react-admin's default theme in the organisation's colours (the same as the resident portal).
import { defaultTheme } from 'react-admin';

export function consoleTheme(bootstrap) {
    return {
        ...defaultTheme,
        palette: {
            ...defaultTheme.palette,
            primary: { main: bootstrap.primary_colour, contrastText: bootstrap.primary_text_colour },
            secondary: { main: bootstrap.primary_colour, contrastText: bootstrap.primary_text_colour },
            // Darker than MUI's red: readable (WCAG AA) on the grey form toolbar as well as on white.
            error: { main: '#b71c1c', contrastText: '#ffffff' },
        },
        components: {
            ...defaultTheme.components,
            RaAppBar: { styleOverrides: { root: { '& .RaAppBar-toolbar': { minHeight: 56 } } } },
        },
    };
}
