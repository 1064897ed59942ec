// Imports every domain's types and builds the schema.
import { builder } from './builder.ts';
import './scalars.ts';
import './usage.ts';
import './model.ts';
import './coinPool.ts';
import './modelAccess.ts';
import './modelAccessCall.ts';
import './user.ts';
import './apiKey.ts';
import './client.ts';
import './clientMutations.ts';
import './rateLimits.ts';
import './budgetAlerts.ts';
import './usageSeries.ts';
import './modelConsent.ts';
import './subscription.ts';
import './signIn.ts';
import './session.ts';
import './accessToken.ts';
import './node.ts';

export const schema = builder.toSchema({ sortSchema: true });
