// The console's frame: the organisation's logo and name in the app bar (its colours come from the
// theme), the language menu, and a menu made of every screen's resources and extra entries.
import {
    AppBar,
    Layout as RaLayout,
    LocalesMenuButton,
    Menu,
    TitlePortal,
    UserMenu,
    useGetIdentity,
    usePermissions,
} from 'react-admin';
import { Box, Typography } from '@mui/material';
import { useConsole } from './ConsoleContext.jsx';
import { useTranslate } from 'react-admin';

// The menu button shows the person's name: that name is also its accessible name (WCAG 2.5.3).
function ConsoleUserMenu() {
    const { identity } = useGetIdentity();
    return <UserMenu label={identity?.fullName || 'ra.auth.user_menu'} />;
}

function ConsoleAppBar() {
    const { bootstrap } = useConsole();
    const translate = useTranslate();
    const title =
        bootstrap.kind === 'platform'
            ? translate('console.platform_title')
            : translate('console.title', { name: bootstrap.name });
    return (
        <AppBar toolbar={<LocalesMenuButton />} userMenu={<ConsoleUserMenu />}>
            {bootstrap.logo_url ? (
                <Box
                    component="img"
                    src={bootstrap.logo_url}
                    alt={bootstrap.name}
                    sx={{ height: 32, maxWidth: 120, objectFit: 'contain', mr: 1, bgcolor: 'white', borderRadius: 1, p: 0.25 }}
                />
            ) : null}
            <Typography variant="h6" component="span" sx={{ mr: 2, display: { xs: 'none', sm: 'inline' } }} noWrap>
                {title}
            </Typography>
            <TitlePortal />
        </AppBar>
    );
}

function ConsoleMenu() {
    const { screens } = useConsole();
    const { permissions } = usePermissions();
    const extra = screens.flatMap((screen) => (screen.menu ? screen.menu(permissions || {}) : []));
    return (
        <Menu>
            <Menu.DashboardItem />
            <Menu.ResourceItems />
            {extra.map((item) => (
                <Menu.Item key={item.to} to={item.to} primaryText={item.label} leftIcon={item.icon} />
            ))}
        </Menu>
    );
}

export default function Layout({ children }) {
    return (
        <RaLayout appBar={ConsoleAppBar} menu={ConsoleMenu}>
            {children}
        </RaLayout>
    );
}
