/** Implementation of the container services: health checks, deploy-folder scanning, log writing. */
package org.lethe.container.internal;
