/**
 * Typed configuration: the schema of a component's Metatype-designated configuration, and the
 * conversion of {@code --set key=value} strings into it, checked key by key.
 */
@Export
@Version("1.0.0")
package org.lethe.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
