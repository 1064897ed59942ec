-- A user is bound to the OpenID Connect identity (issuer, subject) that first signed
-- them in; later sign-ins match on it instead of on the email address.

-- AlterTable
ALTER TABLE "User" ADD COLUMN "oidcIssuer" TEXT,
ADD COLUMN "oidcSubject" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "User_oidcIssuer_oidcSubject_key" ON "User"("oidcIssuer", "oidcSubject");
