// The configuration part of the REST admin this screen talks to (organisation hosts only). Not
// dataProvider.root: react-admin's data provider proxy turns every property into a function.
export const CONFIGURATION = '/api/admin/configuration/';
