import type { GatehouseApp } from '../app.js';
import type { AppContext } from '../context.js';
import { apiRoutes } from './apis.js';
import { auditExportRoute } from './audit-export.js';
import { auditIngestRoute } from './audit-ingest.js';
import { auditListRoute } from './audit-list.js';
import { auditStreamRoute } from './audit-stream.js';
import { auditVerifyRoute } from './audit-verify.js';
import { eventsRoute } from './events.js';
import { eventsAckRoute } from './events-ack.js';
import { eventsStreamRoute } from './events-stream.js';
import { forwardAuthRoute } from './forward-auth.js';
import { healthRoutes } from './health.js';
import { metricsRoute } from './metrics.js';
import { oauthRoutes } from './oauth-setup.js';
import { tokensCreateRoute } from './tokens-create.js';
import { tokenItemRoutes } from './tokens-item.js';
import { tokensListRoute } from './tokens-list.js';
import { verifyRoute } from './verify.js';

/** Every route module, registered in one place. Add yours here. */
export async function registerRoutes(app: GatehouseApp, ctx: AppContext): Promise<void> {
  healthRoutes(app, ctx);
  metricsRoute(app, ctx);
  apiRoutes(app, ctx);
  tokensCreateRoute(app, ctx);
  tokensListRoute(app, ctx);
  tokenItemRoutes(app, ctx);
  verifyRoute(app, ctx);
  eventsRoute(app, ctx);
  eventsStreamRoute(app, ctx);
  eventsAckRoute(app, ctx);
  auditListRoute(app, ctx);
  auditExportRoute(app, ctx);
  auditVerifyRoute(app, ctx);
  auditStreamRoute(app, ctx);
  auditIngestRoute(app, ctx);
  await forwardAuthRoute(app, ctx);
  await oauthRoutes(app, ctx);
}
