// Every HTTP route of the API, in one list: the route-walk test fails for any route missing here.
import type { RouteDef } from './platform/http.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { organisationRoutes } from './modules/organisations/routes.ts';
import { incidentRoutes } from './modules/incidents/routes.ts';
import { contactRoutes } from './modules/contacts/routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { notificationRoutes } from './modules/incidents/notification-routes.ts';
import { evidenceRoutes } from './modules/evidence/routes.ts';
import { datasetRoutes } from './modules/datasets/routes.ts';
import { forensicsRoutes } from './modules/forensics/routes.ts';
import { scopingRoutes } from './modules/scoping/routes.ts';

export function allRoutes(): RouteDef[] {
  return [...authRoutes, ...organisationRoutes, ...incidentRoutes, ...notificationRoutes, ...evidenceRoutes, ...datasetRoutes, ...scopingRoutes, ...forensicsRoutes, ...contactRoutes, ...auditRoutes];
}
