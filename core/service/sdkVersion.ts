/** The Globus Compute SDK version this client speaks (protocol.md §0); the service logs and checks it. */
export const SDK_VERSION = "4.15.0";
