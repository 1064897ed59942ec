// GraphQL operation metrics (the Guild's Prometheus plugin), labelled only with
// values Lumen chose: an operation name is kept when it is one of the admin UI's,
// anything else is counted as `other`. A label taken from what a caller sends
// (an operation name, an alias in an error's path) would let anyone add series to
// /metrics without bound.
import { createCounter, createHistogram, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { ADMIN_OPERATIONS } from '../generated/adminOperations.ts';
import { registry } from '../metrics.ts';

const KNOWN_OPERATIONS = new Set(ADMIN_OPERATIONS);
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

export function operationLabel(name: string | undefined): string {
  return name !== undefined && KNOWN_OPERATIONS.has(name) ? name : 'other';
}

interface OperationParams {
  operationName?: string;
  operationType?: string;
  errorPhase?: string;
}

const operationLabels = (params: OperationParams) => ({
  operationName: operationLabel(params.operationName),
  operationType: params.operationType && OPERATION_TYPES.has(params.operationType) ? params.operationType : 'unknown',
});

export function useGraphqlMetrics(): Plugin {
  return usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_request',
          help: 'GraphQL operations executed, by operation',
          labelNames: ['operationName', 'operationType'],
        },
        fillLabelsFn: operationLabels,
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'GraphQL operation duration from parse to execute, by operation',
          labelNames: ['operationName', 'operationType'],
        },
        fillLabelsFn: operationLabels,
      }),
      // Without the plugin's `path` label: it holds the response keys, which a caller chooses with aliases.
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'GraphQL errors, by operation and phase',
          labelNames: ['operationName', 'operationType', 'phase'],
        },
        fillLabelsFn: (params: OperationParams) => ({ ...operationLabels(params), phase: params.errorPhase ?? 'unknown' }),
      }),
      // The plugin turns every other metric on unless told otherwise; each would be labelled by raw operation names.
      graphql_envelop_request_time_summary: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_execute_resolver: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_yoga_http_duration: false,
    },
  });
}
