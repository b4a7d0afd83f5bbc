/* kcrds.h -- the CustomResourceDefinitions the simulator comes with.
 * The demo's CRDs, as a fresh cluster with Flagger, Istio and Flux v1 would
 * have them: canaries, metrictemplates, alertproviders (flagger.app v1beta1
 * and v1alpha3), virtualservices, destinationrules, gateways
 * (networking.istio.io v1beta1 and v1alpha3), helmreleases
 * (helm.fluxcd.io/v1 and flux.weave.works/v1beta1), with the printer columns
 * those projects declare.
 */
#ifndef SIM_KCRDS_H
#define SIM_KCRDS_H

#include "kstore.h"

/* Create the CRD objects in st (existing ones are left alone).  The API
 * picks them up from the store like any applied CRD. */
void kcrds_install(kstore *st);

#endif
