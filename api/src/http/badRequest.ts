// A request Lumen cannot read, such as an address or a cookie that is not valid
// percent-encoding: answered 400 with this message, which says what to fix
// (by lastResort.ts outside GraphQL, by maskError.ts inside it).
export class BadRequestError extends Error {}
