/**
 * The method SPIs: {@link org.lethe.api.method.UnlearningMethod} and
 * {@link org.lethe.api.method.ErasureMethod}, each one operation on a {@link org.lethe.api.method.Task}
 * inside a {@link org.lethe.api.run.RunContext}. The framework owns the loop, the data, the seeding,
 * the model copy and its commit; a method supplies its loss, its edit or its intervention.
 */
@Export
@Version("1.4.0")
package org.lethe.api.method;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
