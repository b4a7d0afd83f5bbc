/* ksvc.h -- the simulator's endpoints controller.
 * Keeps one Endpoints object per Service that has a selector: the pods of
 * the namespace matching it, ready ones under subsets[].addresses and the
 * others under notReadyAddresses (ip, nodeName, targetRef), with the
 * Service's ports mapped to their targetPort (a named targetPort is looked
 * up in the pods' container ports).  Deleting the Service deletes them.
 */
#ifndef SIM_KSVC_H
#define SIM_KSVC_H

#include "kctl.h"

/* Refresh the Endpoints of every Service in ns. */
void ksvc_sync_ns(kctl *k, const char *ns);
/* Service ns/name is gone: delete its Endpoints. */
void ksvc_forget(kctl *k, const char *ns, const char *name);

#endif
