import type { RuleId } from '../ids.js';
import type { Rule } from '../model.js';
import { adminPortExposed } from './admin-port-exposed.js';
import { datastoreExposed } from './datastore-exposed.js';
import { duplicateHostPort } from './duplicate-host-port.js';
import { healthcheckMissing } from './healthcheck-missing.js';
import { liveListenerExposed } from './live-listener-exposed.js';
import { networkModeHost } from './network-mode-host.js';
import { plaintextBetweenTiers } from './plaintext-between-tiers.js';
import { policyUnknownService } from './policy-unknown-service.js';
import { portOutsideTier } from './port-outside-tier.js';
import { privilegedPort } from './privileged-port.js';
import { publicNetworkSharedWithDatastore } from './public-network-shared-with-datastore.js';
import { reservationNotHonoured } from './reservation-not-honoured.js';
import { routeIntegrity } from './route-integrity.js';
import { suppressionExpired } from './suppression-expired.js';

/** Every rule, keyed by id: the type makes a rule id without a rule (or the reverse) a compile error. */
export const rules: Record<RuleId, Rule> = {
  'datastore-exposed': datastoreExposed,
  'admin-port-exposed': adminPortExposed,
  'healthcheck-missing': healthcheckMissing,
  'port-outside-tier': portOutsideTier,
  'network-mode-host': networkModeHost,
  'privileged-port': privilegedPort,
  'public-network-shared-with-datastore': publicNetworkSharedWithDatastore,
  'duplicate-host-port': duplicateHostPort,
  'reservation-not-honoured': reservationNotHonoured,
  'plaintext-between-tiers': plaintextBetweenTiers,
  'route-integrity': routeIntegrity,
  'live-listener-exposed': liveListenerExposed,
  'suppression-expired': suppressionExpired,
  'policy-unknown-service': policyUnknownService,
};
