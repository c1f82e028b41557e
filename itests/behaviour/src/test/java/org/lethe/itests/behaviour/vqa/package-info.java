/**
 * Behaviour tests of vision-language unlearning (issue 9): {@link
 * org.lethe.itests.behaviour.vqa.VqaComparisonStack} embeds the run service with the
 * vision-language architecture and metrics, the methods, interventions, probes and world a test
 * installs, and the comparison harness over them, outside OSGi.
 */
package org.lethe.itests.behaviour.vqa;
