/**
 * The method conformance kit: one set of checks that every method bundle passes, run inside a
 * container with the distribution's bundle set (DJL's {@code IntegrationTest} is the model: one
 * suite, every engine).
 *
 * <p>A method's integration test is a few lines:
 * <pre>
 * public class GradientAscentConformanceIT extends MethodConformance {
 *     &#64;Override
 *     protected Subject subject() {
 *         return Subject.method("gradient-ascent")
 *                 .bundle(System.getProperty("lethe.bundle.gradientascent"))
 *                 .shortRun(Map.of("steps", "3"))
 *                 .longRun(Map.of("steps", "100000"));
 *     }
 * }
 * </pre>
 * It lives in an {@code itests/} module (a method module cannot depend on the distribution built
 * from it), whose failsafe sets {@code lethe.dist} (the built distribution folder) and
 * {@code lethe.test.work} (a scratch folder), runs one JVM per test class ({@code reuseForks=false})
 * and prefetches Pax Exam's in-container bundles, as {@code itests/conformance/pom.xml} does.
 *
 * <p>{@link org.lethe.conformance.Check} lists the checks; {@link org.lethe.conformance.Conformance}
 * runs them one by one (each failure is an {@link AssertionError} whose message starts with the
 * check's label); {@link org.lethe.conformance.ConformanceContainer} is the Pax Exam configuration.
 */
@Export
@Version("0.1.0")
package org.lethe.conformance;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
