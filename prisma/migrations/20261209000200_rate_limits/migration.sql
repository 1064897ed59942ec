-- Rate limits per minute (issue 14): on a client (all its keys together), on a user (their
-- personal keys together) and on one key. NULL: no limit at that level; a limit is above 0.

-- AlterTable
ALTER TABLE "Client" ADD COLUMN "requestsPerMinute" INTEGER,
ADD COLUMN "tokensPerMinute" INTEGER,
ADD CONSTRAINT "Client_requestsPerMinute_positive" CHECK ("requestsPerMinute" > 0),
ADD CONSTRAINT "Client_tokensPerMinute_positive" CHECK ("tokensPerMinute" > 0);

-- AlterTable
ALTER TABLE "User" ADD COLUMN "requestsPerMinute" INTEGER,
ADD COLUMN "tokensPerMinute" INTEGER,
ADD CONSTRAINT "User_requestsPerMinute_positive" CHECK ("requestsPerMinute" > 0),
ADD CONSTRAINT "User_tokensPerMinute_positive" CHECK ("tokensPerMinute" > 0);

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "requestsPerMinute" INTEGER,
ADD COLUMN "tokensPerMinute" INTEGER,
ADD CONSTRAINT "ApiKey_requestsPerMinute_positive" CHECK ("requestsPerMinute" > 0),
ADD CONSTRAINT "ApiKey_tokensPerMinute_positive" CHECK ("tokensPerMinute" > 0);
