// The platform API names an organisation by its slug (…/organisations/<slug>/).
export const resourceOptions = { organisations: { id: 'slug' } };
