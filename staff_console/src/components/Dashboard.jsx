// The console's home: who is logged in, where to go next.
import { Card, CardContent, Typography } from '@mui/material';
import { Title, useGetIdentity, useTranslate } from 'react-admin';

export default function Dashboard() {
    const translate = useTranslate();
    const { identity } = useGetIdentity();
    return (
        <Card sx={{ mt: 2 }}>
            <Title title="ra.page.dashboard" />
            <CardContent>
                <Typography component="h1" variant="h5" gutterBottom>
                    {translate('console.dashboard.welcome', { name: identity?.fullName || '' })}
                </Typography>
                <Typography>{translate('console.dashboard.intro')}</Typography>
            </CardContent>
        </Card>
    );
}
