-- a neutralized copy of the database never texts real customers:
-- deactivate every Aakash SMS provider and forget its auth token
UPDATE aakash_sms_provider
   SET active = false,
       auth_token = NULL;
