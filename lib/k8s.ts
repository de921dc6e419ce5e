/**
 * The Kubernetes 1.27 L1 classes (`KubeNetworkPolicy`, `KubeRole`, ...), as cdk8s-plus-27 generates and ships them.
 * Imported from their module rather than from the `cdk8s-plus-27` index, which would also load every L2 construct
 * of the library on each synth (about 0.1 s here) though this project uses none.
 */
export * from 'cdk8s-plus-27/lib/imports/k8s';
