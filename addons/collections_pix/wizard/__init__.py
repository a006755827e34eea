from . import collection_bank_return_import
