import { InitialSchema1764064800000 } from './1764064800000-InitialSchema';
import { Incidents1764151200000 } from './1764151200000-Incidents';
import { ReportsObservedBrin1764151300000 } from './1764151300000-ReportsObservedBrin';
import { Aliases1764151400000 } from './1764151400000-Aliases';
import { Collectors1764238000000 } from './1764238000000-Collectors';
import { Notifications1764238100000 } from './1764238100000-Notifications';
import { NotificationsSkipped1764238160000 } from './1764238160000-NotificationsSkipped';
import { IncidentSeverityFlapping1764238200000 } from './1764238200000-IncidentSeverityFlapping';
import { ComponentMappings1764238300000 } from './1764238300000-ComponentMappings';
import { SealedUrlsSecretNames1764238500000 } from './1764238500000-SealedUrlsSecretNames';
import { TokenServiceBinding1764238600000 } from './1764238600000-TokenServiceBinding';
import { IngestStateVersion1765000000000 } from './1765000000000-IngestStateVersion';
import { Changes1765000100000 } from './1765000100000-Changes';

/** Every migration, in order. Listed explicitly so compiled and test runs load the same set. */
export const migrations = [
  InitialSchema1764064800000,
  Incidents1764151200000,
  ReportsObservedBrin1764151300000,
  Aliases1764151400000,
  Collectors1764238000000,
  Notifications1764238100000,
  NotificationsSkipped1764238160000,
  IncidentSeverityFlapping1764238200000,
  ComponentMappings1764238300000,
  SealedUrlsSecretNames1764238500000,
  TokenServiceBinding1764238600000,
  IngestStateVersion1765000000000,
  Changes1765000100000,
];
