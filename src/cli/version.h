/* version: kiln's version number (semantic versioning). */
#ifndef KILN_CLI_VERSION_H
#define KILN_CLI_VERSION_H

#define KILN_VERSION "0.1.0"

#endif
