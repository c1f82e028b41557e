/** Test scaffolding shared by the metric and probe tests: a task over a model and items by role. */
package org.lethe.evaluation.testing;
